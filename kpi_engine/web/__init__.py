"""`kpi serve`: a shared web space over a pack, its facts and its alert store.

Only this subpackage imports the web stack (Starlette, uvicorn, argon2-cffi,
itsdangerous through Starlette's sessions), so the rest of the CLI starts fast
and works without the `web` extra. Modules:

    users    the users file: who may log in, their role and rights, password hashes
    rights   what a user may read: KPIs, entities, alerts (one place, checked by every view)
    auth     sessions, CSRF tokens, login rate limiting
    space    the pack, facts and store as currently on disk, reloaded when they change
    pages    what each page shows, from the report model and the explain tree
    words    every word of the pages in French and English, and the choice of language
    app      routes, sessions, security headers: the Starlette application
"""
