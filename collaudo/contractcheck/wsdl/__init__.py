"""WSDL 1.1 documents and XSDs (inline or imported): loading and checks."""
