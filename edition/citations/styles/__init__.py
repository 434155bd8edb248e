"""The citation styles, one module each; :mod:`edition.citations.style` looks them up by name."""
