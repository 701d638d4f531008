"""The messages of the services around the engine: delivery job files, channels, the alert store, report options, the web users file.

code -> (English, French), worded by `reasons.Reason` at the edge (`Problem.of`, `errors.WordedError`), so
`kpi run --lang fr`, `kpi notify`, `kpi alerts`, `kpi report` and the web pages read them in the reader's
language. English is the text of record (the store's last error, JSON, tests and docs quote it). Keys,
options, variables and commands (`repeat_after`, `--starttls`, `KPI_SMTP_USER`, `kpi users add`) are
quoted as written in both languages: they are what the reader types.
"""

from __future__ import annotations

SERVICE_MESSAGES: dict[str, tuple[str, str]] = {
    # --- a job file (delivery/job.py) and durations (--repeat-after) ---
    "not_a_duration": (
        "'{text}' is not a duration: write a number and m, h, d or w (30m, 12h, 7d, 2w)",
        "« {text} » n'est pas une durée : écrivez un nombre suivi de m, h, d ou w (30m, 12h, 7d, 2w)",
    ),
    "job_repeat_after": ("repeat_after: {cause}", "repeat_after : {cause}"),
    "audience_and_owner": (
        "a report names either an audience or an owner, not both",
        "un rapport nomme soit une audience, soit un responsable, pas les deux",
    ),
    # --- building a channel (delivery/channels/): settings and secrets ---
    "unknown_channel": ("unknown channel '{name}'; channels: {channels}", "canal inconnu « {name} » ; canaux : {channels}"),
    "smtp_host_port": (
        "SMTP server '{smtp}' should read HOST:PORT, e.g. smtp.example.fr:587",
        "le serveur SMTP « {smtp} » doit s'écrire HÔTE:PORT, par exemple smtp.example.fr:587",
    ),
    "sender_not_address": (
        "sender '{sender}' is not an e-mail address; give the From address with --sender",
        "l'expéditeur « {sender} » n'est pas une adresse e-mail ; donnez l'adresse d'envoi avec --sender",
    ),
    "password_missing": ("{user} is set but {password} is not", "{user} est défini mais pas {password}"),
    "password_needs_starttls": (
        "{user} is set: a password is only sent over an encrypted connection; add --starttls",
        "{user} est défini : un mot de passe ne circule que sur une connexion chiffrée ; ajoutez --starttls",
    ),
    "webhook_url": ("webhook URL '{url}' should start with http:// or https://", "l'adresse du webhook « {url} » doit commencer par http:// ou https://"),
    # --- delivering (a failure is kept pending and retried by the next run) ---
    "no_owner_email": (
        "no e-mail address for owner '{owner}': add it under owners: in the pack",
        "aucune adresse e-mail pour le responsable « {owner} » : ajoutez-la sous owners: dans le pack",
    ),
    "smtp_refused_all": ("{server} refused every recipient: {refusals}", "{server} a refusé tous les destinataires : {refusals}"),
    "smtp_refused_some": ("{server} refused {refusals}", "{server} a refusé {refusals}"),
    "smtp_answered": ("{server} answered {status} {answer}", "{server} a répondu {status} {answer}"),
    "server_failed": ("{server}: {failure}", "{server} : {failure}"),
    "webhook_answered": ("webhook {server} answered HTTP {status} {answer}", "le webhook {server} a répondu HTTP {status} {answer}"),
    "webhook_failed": ("webhook {server}: {failure}", "webhook {server} : {failure}"),
    "no_answer_in_time": ("no answer in time (timeout)", "pas de réponse à temps (délai dépassé)"),
    "connection_refused": (
        "connection refused (is the SMTP server running, and the port right?)",
        "connexion refusée (le serveur SMTP est-il démarré, et le port est-il le bon ?)",
    ),
    # --- the alert store (delivery/store.py) ---
    "store_no_folder": ("{path}: folder {folder} does not exist", "{path} : le dossier {folder} n'existe pas"),
    "store_cannot_open": ("{path}: cannot be opened: {detail}", "{path} : ne peut pas être ouvert : {detail}"),
    "store_foreign": (
        "{path}: an SQLite database of another application, not a kpi-engine alert store; choose another file",
        "{path} : une base SQLite d'une autre application, pas une base d'alertes de kpi-engine ; choisissez un autre fichier",
    ),
    "store_newer": (
        "{path}: written by a newer kpi-engine (store schema {version}, this one reads {supported}); upgrade kpi-engine",
        "{path} : écrite par un kpi-engine plus récent (schéma {version}, celui-ci lit le schéma {supported}) ; mettez kpi-engine à jour",
    ),
    "store_check_failed": (
        "{path}: the store is damaged (SQLite integrity check failed); restore it from a backup",
        "{path} : la base d'alertes est endommagée (le contrôle d'intégrité SQLite a échoué) ; restaurez-la depuis une sauvegarde",
    ),
    "store_damaged": (
        "{path}: the store is damaged ({detail}); restore it from a backup",
        "{path} : la base d'alertes est endommagée ({detail}) ; restaurez-la depuis une sauvegarde",
    ),
    "store_busy": (
        "{path}: the store is busy (another run holds it too long): {detail}",
        "{path} : la base d'alertes est occupée (un autre passage la garde trop longtemps) : {detail}",
    ),
    "store_unusable": ("{path}: cannot be used: {detail}", "{path} : inutilisable : {detail}"),
    "store_not_ours": (
        "{path}: not a kpi-engine alert store ({detail}); choose another file",
        "{path} : pas une base d'alertes de kpi-engine ({detail}) ; choisissez un autre fichier",
    ),
    "no_alert_fingerprint": ("{path}: no alert with fingerprint '{fingerprint}'", "{path} : aucune alerte d'empreinte « {fingerprint} »"),
    "alerts_fingerprint": ("{path}: {count} alerts with fingerprint '{fingerprint}'", "{path} : {count} alertes d'empreinte « {fingerprint} »"),
    # --- report options (report/build.py): an audience, an owner or a frequency the pack does not have ---
    "unknown_audience": (
        "unknown audience '{name}'{hint}; valid audiences: {listed}",
        "audience inconnue « {name} »{hint} ; audiences possibles : {listed}",
    ),
    "unknown_owner": ("unknown owner '{name}'{hint}; valid owners: {listed}", "responsable inconnu « {name} »{hint} ; responsables possibles : {listed}"),
    "unknown_frequency": (
        "unknown frequency '{name}'{hint}; valid frequencies: {listed}",
        "fréquence inconnue « {name} »{hint} ; fréquences possibles : {listed}",
    ),
    "none_defined": ("none (the pack defines none)", "aucune, le pack n'en définit pas"),
    "no_kpi_matches": ("no KPI matches {selection}", "aucun indicateur ne correspond à {selection}"),
    "selected_audience": ("audience '{name}'", "l'audience « {name} »"),
    "selected_owner": ("owner '{name}'", "le responsable « {name} »"),
    "selected_frequency": ("frequency '{name}'", "la fréquence « {name} »"),
    "the_pack": ("the pack", "le pack"),
    # --- the users file of `kpi serve` (web/users.py) ---
    "users_unreadable": ("cannot be read: {detail}", "illisible : {detail}"),
    "users_not_mapping": ("a users file maps each login to its settings", "un fichier d'utilisateurs associe à chaque identifiant ses réglages"),
    "user_not_mapping": (
        "user '{login}': expected a mapping with name, password_hash and role",
        "utilisateur « {login} » : on attend des clés name, password_hash et role",
    ),
    "user_unknown_setting": ("user '{login}': unknown setting '{key}'", "utilisateur « {login} » : réglage inconnu « {key} »"),
    "user_role": ("user '{login}': role must be one of {roles}", "utilisateur « {login} » : role doit valoir l'une des valeurs {roles}"),
    "user_password_hash": (
        "user '{login}': password_hash must be an argon2 hash (kpi users add writes one)",
        "utilisateur « {login} » : password_hash doit être une empreinte argon2 (kpi users add en écrit une)",
    ),
    "user_lang": ("user '{login}': lang must be fr or en", "utilisateur « {login} » : lang vaut fr ou en"),
    "user_list": ("user '{login}': {key} must be a list of names", "utilisateur « {login} » : {key} doit être une liste de noms"),
}
