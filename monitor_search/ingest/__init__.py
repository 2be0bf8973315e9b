"""Reading articles from disk: finding the files, decoding their bytes, parsing their text."""
