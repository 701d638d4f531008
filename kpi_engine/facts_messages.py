"""Mistakes in facts files in words: CSV, JSON, YAML, workbooks, FEC ledgers and account mappings.

code -> (English, French), worded by `reasons.Reason` at the edge (`Problem.of`), so
`kpi evaluate --lang fr` reads every problem of the company's data in French. The
refusals of a single value (a period, a number: `errors.Refusal`, raised by `periods`
and `numbers`) are here too, since facts are where they are met most; a reader nests
them in its own message (`reasons.refusal`). A `written` value is quoted as the user wrote it.
"""

from __future__ import annotations

# `periods.PERIOD_FORMATS` (a test checks they agree): this catalogue is plain data, imported by
# `errors` for `Refusal`, which `periods` raises
PERIOD_FORMATS = "2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15"
_FORMATS_FR = PERIOD_FORMATS.replace(" or ", " ou ")

FACTS_MESSAGES: dict[str, tuple[str, str]] = {
    "no_period": ("no period", "aucune période"),
    # --- one value refused (`errors.Refusal`): periods, numbers, comparisons ----------------
    "not_a_period": ("{written} is not a period: write " + PERIOD_FORMATS, "{written} n'est pas une période : écrivez " + _FORMATS_FR),
    "not_a_valid_period": (
        "{written} is not a valid {period_frequency} period: write " + PERIOD_FORMATS,
        "{written} n'est pas {period_frequency} valide : écrivez " + _FORMATS_FR,
    ),
    "period_past_end": (
        "{written} ends after 9999-12-31, the last day periods can reach",
        "{written} finit après le 31/12/9999, le dernier jour qu'une période peut atteindre",
    ),
    "no_such_period": (
        "{written} is not a valid period: it reads as {form}, but there is no such one",
        "{written} n'est pas une période valide : elle se lit comme {form}, mais cette période n'existe pas",
    ),
    "time_of_day": ("{moment} has a time of day: a period is a date", "{moment} comporte une heure : une période est une date, sans heure"),
    "not_a_number": ("{written} is not a number", "{written} n'est pas un nombre"),
    "not_finite": ("{written} is not a finite number", "{written} n'est pas un nombre fini"),
    "too_many_digits": (
        "{written} has {digits} digits; at most {limit} are read, the precision the engine computes with",
        "{written} a {digits} chiffres ; au plus {limit} sont lus, la précision de calcul du moteur",
    ),
    "out_of_range": (
        "{written} is out of range: numbers are read from 1E-{exponent} to 9.99E+{exponent} in size",
        "{written} est hors limites : les nombres sont lus de 1E-{exponent} à 9,99E+{exponent} en valeur absolue",
    ),
    "too_long_number": (
        "{written} is {length} characters long: too long to be a number the engine reads",
        "{written} fait {length} caractères : trop long pour un nombre que le moteur lit",
    ),
    "ambiguous_number": (
        "{written} is ambiguous: write {whole} or {decimal} without a thousands separator",
        "{written} est ambigu : écrivez {whole} ou {decimal}, sans séparateur de milliers",
    ),
    "not_a_comparison": (
        "{written} is not a comparison{hint}: write one or more of budget, year_ago, ytd, separated by commas",
        "{written} n'est pas une comparaison{hint} : écrivez une ou plusieurs de budget, year_ago, ytd, séparées par des virgules",
    ),
    "not_comparisons": (
        "{names} are not comparisons: write one or more of budget, year_ago, ytd, separated by commas",
        "{names} ne sont pas des comparaisons : écrivez une ou plusieurs de budget, year_ago, ytd, séparées par des virgules",
    ),
    "no_comparison": (
        "no comparison named: write one or more of budget, year_ago, ytd, separated by commas",
        "aucune comparaison nommée : écrivez une ou plusieurs de budget, year_ago, ytd, séparées par des virgules",
    ),
    "calendar_year": (
        (
            "{written} is a calendar year, but this pack's years are fiscal, starting in month {month}:"
            " write a fiscal period such as {fiscal} ({first} to {last})"
        ),
        (
            "{written} est une année civile, mais les années de ce pack sont des exercices, qui commencent au mois {month} :"
            " écrivez une période d'exercice comme {fiscal} ({first} à {last})"
        ),
    ),
    "calendar_quarter": (
        (
            "{written} is a calendar quarter, but this pack's quarters are fiscal, starting in month {month}:"
            " write a fiscal period such as {fiscal} ({first} to {last})"
        ),
        (
            "{written} est un trimestre civil, mais les trimestres de ce pack sont ceux de l'exercice, qui commence au mois {month} :"
            " écrivez une période d'exercice comme {fiscal} ({first} à {last})"
        ),
    ),
    # how a period is written (`period_forms.PeriodForm`), nested in the messages above and below
    "form_standard": ("the engine's form (2025-01)", "la forme du moteur (2025-01)"),
    "form_date": ("a date", "une date"),
    "form_month_number": ("a month number (01/2025)", "un numéro de mois (01/2025)"),
    "form_month_name": ("a month name (janv. 2025)", "un nom de mois (janv. 2025)"),
    "form_quarter": ("a quarter (T1 2025)", "un trimestre (T1 2025)"),
    # --- tables (CSV, workbooks) ------------------------------------------------------------
    "no_period_column": (
        "the header must have a 'period' column; found: {found}",
        "l'en-tête doit avoir une colonne de période (« période », « mois », « date »...) ; colonnes trouvées : {found}",
    ),
    "nothing_found": ("nothing", "aucune"),
    "repeated_column": (
        "column {column} '{title}' repeats column {first_column} '{first_title}': rename or remove one; neither is read",
        "la colonne {column} « {title} » répète la colonne {first_column} « {first_title} » : renommez ou supprimez l'une des deux ; aucune n'est lue",
    ),
    "row_width": ("{cells} but the header has {columns} columns", "{cells} alors que l'en-tête a {columns} colonnes"),
    "in_period_column": ("column 'period': {cause}", "colonne de période : {cause}"),
    "in_scenario_column": ("column 'scenario': {cause}", "colonne de scénario : {cause}"),
    "mixed_period_forms": (
        "period {written} is written as {form}, but {example} at {at} is {example_form}: write every period of a file one way{like_it}",
        (
            "la période {written} est écrite comme {form}, mais {example} en {at} est {example_form} : écrivez toutes les périodes"
            " d'un fichier de la même façon{like_it}"
        ),
    ),
    "more_like_it": (" ({others} like it)", " (et {others} de la même forme)"),
    "text_column": (
        "column '{title}' is not an input of the pack and holds text ({written} at {at}), not figures: ignored",
        "la colonne « {title} » n'est pas une donnée du pack et contient du texte ({written} en {at}), pas des chiffres : ignorée",
    ),
    # --- one cell, one fact (every reader) ---------------------------------------------------
    "empty_name": ("the 'name' cell is empty", "la cellule du nom de la donnée est vide"),
    "in_value": ("'{name}' for {period}: {cause}", "« {name} » pour {period} : {cause}"),
    "date_not_number": ("the date {date} is not a number", "la date {date} n'est pas un nombre"),
    "same_value_twice": (
        "'{name}' for {period}{for_entity}{under_scenario} is given twice with the same value ({earlier} at {at}, {value} here): counted once",
        "« {name} » pour {period}{for_entity}{under_scenario} est donnée deux fois avec la même valeur ({earlier} en {at}, {value} ici) : comptée une fois",
    ),
    "different_values": (
        "'{name}' for {period}{for_entity}{under_scenario} is given twice with different values ({earlier} at {at}, {value} here)",
        "« {name} » pour {period}{for_entity}{under_scenario} est donnée deux fois avec des valeurs différentes ({earlier} en {at}, {value} ici)",
    ),
    "for_entity": (" for entity '{name}'", ", entité « {name} »"),
    "under_scenario": (" under scenario '{scenario}'", " en scénario « {scenario} »"),
    "not_a_scenario": (
        "'{scenario}' is not a scenario name: write it in lowercase letters, digits and underscores, as 'budget' or 'revised_budget'{hint}",
        "« {scenario} » n'est pas un nom de scénario : écrivez-le en minuscules, chiffres et « _ », comme « budget » ou « revised_budget »{hint}",
    ),
    "record": ("record {number}: {cause}", "enregistrement {number} : {cause}"),
    "record_length": (
        "expected (entity, name, period, value) or (entity, name, period, value, scenario), got {count} items",
        "attendu (entité, nom, période, valeur) ou (entité, nom, période, valeur, scénario), reçu {count} éléments",
    ),
    "float_value": (
        (
            "{written} for '{name}' is not an exact number: pass a Decimal, an int or a string, "
            'or Facts.from_records(records, floats="repr") to read floats through their shortest decimal form'
        ),
        (
            "{written} pour « {name} » n'est pas un nombre exact : passez un Decimal, un int ou une chaîne, "
            'ou Facts.from_records(records, floats="repr") pour lire les floats par leur plus courte forme décimale'
        ),
    ),
    # --- YAML and JSON ---------------------------------------------------------------------
    "not_a_facts_mapping": (
        "expected a mapping of period -> {{input: value}}, optionally under entity names",
        "attendu : des périodes, chacune avec ses données (période -> {{donnée: valeur}}), éventuellement sous des noms d'entités",
    ),
    "not_a_values_mapping": ("{period}: expected a mapping of input -> value", "{period} : attendu : des données et leurs valeurs (donnée -> valeur)"),
    "actual_outside_scenarios": ("actual figures are given outside 'scenarios'", "les chiffres réels se donnent hors de « scenarios »"),
    "json_too_deep": (
        "the file is nested too deeply to be a facts file; refused",
        "le fichier est imbriqué trop profondément pour être un fichier de données ; refusé",
    ),
    "invalid_json": ("not valid JSON: {detail}", "JSON invalide : {detail}"),
    # JSON's own messages (`json.JSONDecodeError.msg`), nested as `detail`
    "json_expecting_value": ("Expecting value", "une valeur est attendue"),
    "json_expecting_name": ("Expecting property name enclosed in double quotes", "un nom entre guillemets droits doubles est attendu"),
    "json_expecting_colon": ("Expecting ':' delimiter", "« : » est attendu"),
    "json_expecting_comma": ("Expecting ',' delimiter", "« , » est attendu"),
    "json_unterminated_string": ("Unterminated string starting at", "texte entre guillemets non fermé"),
    "json_extra_data": ("Extra data", "données en trop après la fin"),
    "json_control_character": ("{detail}", "caractère de contrôle interdit dans un texte"),
    "json_escape": ("{detail}", "échappement « \\ » invalide dans un texte"),
    # --- files and workbooks -----------------------------------------------------------------
    "no_parts": (
        "a {format} file has no parts: '#{part}' only names a sheet of a workbook",
        "un fichier {format} n'a pas de parties : « #{part} » ne nomme qu'une feuille de classeur",
    ),
    "no_such_sheet": ("no sheet '{sheet}'{hint}; sheets: {sheets}", "pas de feuille « {sheet} »{hint} ; feuilles : {sheets}"),
    "not_a_workbook": ("cannot be read as a workbook: {detail}", "illisible comme classeur : {detail}"),
    "no_facts_sheet": (
        "no sheet has a header row naming a period column in its first {limit} rows (sheets: {sheets}); name the sheet to read as {file}#Sheet",
        (
            "aucune feuille n'a de ligne d'en-tête nommant une colonne de période dans ses {limit} premières lignes (feuilles : {sheets}) ;"
            " nommez la feuille à lire : {file}#Feuille"
        ),
    ),
    # --- FEC ledgers and account rules --------------------------------------------------------
    "fec_needs_pack": (
        "an FEC is turned into facts by a pack's account rules: read it with the pack (kpi evaluate PACK --facts FILE)",
        "un FEC devient des données par les règles de comptes d'un pack : lisez-le avec le pack (kpi evaluate PACK --facts FICHIER)",
    ),
    "not_a_fec": (
        "not an FEC: the header lacks {missing}; an FEC has the legal columns {legal} (found: {found})",
        "pas un FEC : il manque à l'en-tête {missing} ; un FEC a les colonnes légales {legal} (trouvées : {found})",
    ),
    "fec_column_absent": (
        "the header lacks the legal column {absent}; the file is read without it",
        "il manque à l'en-tête la colonne légale {absent} ; le fichier est lu sans elle",
    ),
    "fec_columns_absent": (
        "the header lacks the legal columns {absent}; the file is read without them",
        "il manque à l'en-tête les colonnes légales {absent} ; le fichier est lu sans elles",
    ),
    "fec_row_width": ("{cells}, but the header's columns need {columns}", "{cells}, mais les colonnes de l'en-tête en demandent {columns}"),
    "empty_account": ("CompteNum is empty", "CompteNum est vide"),
    "not_an_amount": ("{column} {written} is not an amount: write it like 1234,56", "{column} {written} n'est pas un montant : écrivez-le comme 1234,56"),
    "bad_sens": ("Sens {written} is neither D (debit) nor C (credit)", "Sens {written} n'est ni D (débit) ni C (crédit)"),
    "bad_entry_date": (
        "EcritureDate {written} is not a date written AAAAMMJJ (e.g. 20240131)",
        "EcritureDate {written} n'est pas une date écrite AAAAMMJJ (par exemple 20240131)",
    ),
    "unbalanced_entry": (
        "entry {entry} of journal {journal} does not balance: debit {debit}, credit {credit}, difference {difference}",
        "l'écriture {entry} du journal {journal} n'est pas équilibrée : débit {debit}, crédit {credit}, écart {difference}",
    ),
    "unbalanced_file": (
        "the file does not balance: total debit {debit}, total credit {credit}, difference {difference}",
        "le fichier n'est pas équilibré : total des débits {debit}, total des crédits {credit}, écart {difference}",
    ),
    "more_unread_lines": (
        "{count} more lines cannot be read (the first {limit} are listed)",
        "{count} autres lignes sont illisibles (les {limit} premières sont listées)",
    ),
    "fec_no_entry": ("the FEC has a header but no entry", "le FEC a un en-tête mais aucune écriture"),
    "after_closing": (
        "entries are dated up to {last}, after the closing date {closing} of the file name",
        "des écritures sont datées jusqu'au {last}, après la date de clôture {closing} du nom du fichier",
    ),
    "fiscal_years_overlap": (
        (
            "the fiscal year {first} to {last} overlaps the fiscal year {other_first} to {other_last}{of_entity} read from {source}: "
            "give each fiscal year once; this file is not read"
        ),
        (
            "l'exercice de {first} à {last} chevauche l'exercice de {other_first} à {other_last}{of_entity} lu dans {source} : "
            "donnez chaque exercice une seule fois ; ce fichier n'est pas lu"
        ),
    ),
    "of_entity": (" of entity '{name}'", " de l'entité « {name} »"),
    "no_account_rules": (
        "no input of the pack has account rules ('accounts:'), so the FEC gives no figure",
        "aucune donnée du pack n'a de règles de comptes (« accounts: ») : le FEC ne donne aucun chiffre",
    ),
    "unread_account": (
        "1 account with amounts feeds no input, so no KPI counts them: {accounts}{more}",
        "1 compte mouvementé n'alimente aucune donnée, donc aucun indicateur ne le compte : {accounts}{more}",
    ),
    "unread_accounts": (
        "{count} accounts with amounts feed no input, so no KPI counts them: {accounts}{more}",
        "{count} comptes mouvementés n'alimentent aucune donnée, donc aucun indicateur ne les compte : {accounts}{more}",
    ),
    "debit_balance": ("{account} {label} (debit balance {amount})", "{account} {label} (solde débiteur {amount})"),
    "credit_balance": ("{account} {label} (credit balance {amount})", "{account} {label} (solde créditeur {amount})"),
    # --- facts the SQL backend reads itself (backends/duckdb.py) ---
    "sql_columns": (
        "the facts need columns entity (optional), scenario (optional), input (or name), period and value; missing: {missing}",
        "les données demandent les colonnes entity (facultative), scenario (facultative), input (ou name), period et value ; absentes : {missing}",
    ),
    "sql_periods": ("periods the SQL backend cannot read; found {names}", "des périodes que le moteur SQL ne sait pas lire : {names}"),
    "sql_values": (
        "values must be plain numbers (-1234.5) of at most {digits} decimals and below {largest}; found {names}",
        "les valeurs doivent être des nombres simples écrits avec un point (-1234.5), d'au plus {digits} décimales et inférieurs à {largest} : {names}",
    ),
    "sql_fact_too_precise": (
        "'{name}' for {period}: {amount} has more than {digits} decimals or is too large for the SQL backend",
        "« {name} » pour {period} : {amount} a plus de {digits} décimales ou est trop grand pour le moteur SQL",
    ),
}
