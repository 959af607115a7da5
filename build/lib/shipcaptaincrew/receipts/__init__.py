"""Documents for patrons: receipt PDFs."""
