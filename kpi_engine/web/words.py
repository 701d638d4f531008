"""Every word the web pages show, in French and English, and how a request's language is chosen."""

from __future__ import annotations

from ..comparisons import COLUMN_WORDS
from ..formatting import Language

LANGUAGES: tuple[Language, ...] = ("fr", "en")


def choose_language(setting: object, user_lang: Language | None, accept_language: str) -> Language:
    """The language chosen on the page, else the user's, else the browser's first of French or English, else French."""
    if setting in LANGUAGES:
        return setting
    if user_lang:
        return user_lang
    ranked = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        ranked.append((-weight, position, tag.split("-")[0].strip().lower()))
    return next((tag for _, _, tag in sorted(ranked) if tag in LANGUAGES), "fr")


WORDS: dict[Language, dict[str, str]] = {
    "fr": {
        "app": "Espace indicateurs", "login": "Connexion", "user": "Identifiant", "password": "Mot de passe",
        "sign_in": "Se connecter", "sign_out": "Se déconnecter", "bad_login": "Identifiant ou mot de passe incorrect.",
        "too_many": "Trop d'essais : réessayez dans quelques minutes.", "dashboard": "Tableau de bord", "alerts": "Alertes",
        "audience": "Public", "all": "Tout", "entity": "Entité", "all_entities": "Toutes les entités", "period": "Situation au",
        "latest": "Dernière période", "frequency": "Fréquence", "apply": "Afficher", "summary": "Synthèse",
        "no_alerts": "Aucune alerte sur la période.", "scorecard": "Tableau de bord par thème", "kpi": "Indicateur",
        "target": "Cible", "actual": "Réalisé", "gap": "Écart", "status": "Statut", "trend": "Tendance", "owner": "Responsable",
        "heatmap": "Statuts par période", "heatmap_title": "Statut des indicateurs par période", "charts": "Évolution",
        "zoom_hint": "Survolez un point pour sa valeur ; glissez pour zoomer, double-cliquez pour revenir.",
        "definition": "Définition", "formula": "Formule", "where": "où", "description": "Description", "unit": "Unité",
        "direction": "Sens", "higher_is_better": "plus haut est mieux", "lower_is_better": "plus bas est mieux", "none": "—",
        "computation": "Calcul", "series": "Série et cible", "undefined_because": "indéfini :", "acknowledge": "Prendre en compte",
        "cause": "Cause", "action": "Action corrective", "acked_by": "Pris en compte par", "history": "Historique",
        "state_new": "nouvelle", "state_ongoing": "en cours", "state_resolved": "résolue", "open": "Ouvertes",
        "severity": "Gravité", "message": "Message", "first_seen": "Vue le", "no_store": "Aucun magasin d'alertes : lancez kpi serve avec --state FICHIER.",
        "stale": "Le pack ou les données modifiés ne se chargent pas ; la dernière version valide reste affichée.",
        "users_stale": "Le fichier des utilisateurs modifié ne se charge pas ; sa dernière version valide reste en service.",
        "loaded": "Chargé le", "not_found": "Introuvable", "not_found_text": "Cette page n'existe pas ou ne vous est pas accessible.",
        "forbidden": "Refusé", "forbidden_text": "Le formulaire a expiré ou n'est pas valide ; rechargez la page.",
        "no_kpi": "Aucun indicateur ne correspond à ces filtres.", "language": "English", "event_new": "apparue",
        "event_resolved": "résolue", "event_reminder": "rappel", "at": "le", "kpis": "indicateurs", "saved": "Enregistré.",
        "no_value": "aucune période évaluée", "alert_list": "Liste des alertes",
        "own_kpis": "Vos indicateurs",
        "colon": "\u00a0:",
        "role_admin": "administrateur", "role_daf": "DAF", "role_owner": "responsable", "role_viewer": "lecteur",
    },
    "en": {
        "app": "KPI space", "login": "Sign in", "user": "User name", "password": "Password",
        "sign_in": "Sign in", "sign_out": "Sign out", "bad_login": "Wrong user name or password.",
        "too_many": "Too many attempts: try again in a few minutes.", "dashboard": "Dashboard", "alerts": "Alerts",
        "audience": "Audience", "all": "All", "entity": "Entity", "all_entities": "All entities", "period": "As of",
        "latest": "Latest period", "frequency": "Frequency", "apply": "Show", "summary": "Summary",
        "no_alerts": "No alert for the period.", "scorecard": "Scorecard by theme", "kpi": "KPI",
        "target": "Target", "actual": "Actual", "gap": "Gap", "status": "Status", "trend": "Trend", "owner": "Owner",
        "heatmap": "Status by period", "heatmap_title": "KPI status by period", "charts": "Trends",
        "zoom_hint": "Hover a point for its value; drag to zoom, double-click to reset.",
        "definition": "Definition", "formula": "Formula", "where": "where", "description": "Description", "unit": "Unit",
        "direction": "Direction", "higher_is_better": "higher is better", "lower_is_better": "lower is better", "none": "—",
        "computation": "Computation", "series": "Series and target", "undefined_because": "undefined:", "acknowledge": "Acknowledge",
        "cause": "Cause", "action": "Corrective action", "acked_by": "Acknowledged by", "history": "History",
        "state_new": "new", "state_ongoing": "ongoing", "state_resolved": "resolved", "open": "Open",
        "severity": "Severity", "message": "Message", "first_seen": "Seen on", "no_store": "No alert store: start kpi serve with --state FILE.",
        "stale": "The changed pack or facts do not load; the last valid version is still shown.",
        "users_stale": "The changed users file does not load; its last valid version is still in use.",
        "loaded": "Loaded at", "not_found": "Not found", "not_found_text": "This page does not exist or is not open to you.",
        "forbidden": "Refused", "forbidden_text": "The form expired or is not valid; reload the page.",
        "no_kpi": "No KPI matches these filters.", "language": "Français", "event_new": "appeared",
        "event_resolved": "resolved", "event_reminder": "reminder", "at": "on", "kpis": "KPIs", "saved": "Saved.",
        "no_value": "no period evaluated", "alert_list": "Alert list",
        "own_kpis": "Your KPIs",
        "colon": ":",
        "role_admin": "administrator", "role_daf": "CFO", "role_owner": "owner", "role_viewer": "reader",
    },
}
for _lang, _words in WORDS.items():  # a scorecard's comparison headings: the ones every output uses
    _words.update({key: words[_lang] for key, words in COLUMN_WORDS.items() if key != "target"})
