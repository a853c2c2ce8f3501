"""The one link/preset API: a page's setup as URL query parameters, a shareable link and a JSON preset."""
