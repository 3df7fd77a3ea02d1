"""Mail as data: parsing, loops, bounces, quotes, subjects, addresses. Pure."""
