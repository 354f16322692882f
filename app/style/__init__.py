"""How things look: the theme's colours and fonts, icons, code colours. Imports nothing else of the app."""
