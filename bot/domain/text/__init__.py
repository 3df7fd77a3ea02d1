"""Text analysis for the desk's memory: words, stop words, Snowball stems, query terms."""
