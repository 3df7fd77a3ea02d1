"""Who may open cases: the directory's fields, the CSV file the portal exports, and the rows checked.

Pure: no database, no framework. ``bot/desk/directory_import.py`` writes what this accepts.
"""
