"""The ``asl`` command line (installed as the import package ``asl_cli``)."""
