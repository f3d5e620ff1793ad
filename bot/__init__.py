"""Community bot for Lạng Sơn province's plan against plastic waste."""

__version__ = "0.1.0"
