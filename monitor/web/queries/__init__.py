"""Read-side helpers the web pages need and the domain packages do not offer (yet).

Last resort, kept small: each function here says which domain package should own it.
Handlers call these like domain functions; no SQL lives in a handler.
"""
