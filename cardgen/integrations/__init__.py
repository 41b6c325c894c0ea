"""cardgen inside a book's own build: the mdBook preprocessor (`cardgen mdbook`) and the MkDocs
plugin (`plugins: [cardgen]`), thin adapters over `cardgen.integrations.book`."""
