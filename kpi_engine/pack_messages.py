"""A pack's structural mistakes in words: schema, YAML structure, assembly of files, pack tests.

code -> (English, French), worded by `reasons.Reason` at the edge (`Problem.of`), so
`kpi validate --lang fr` reads every problem of a pack in French. English is the text of
record (tests and docs/reference.md quote it). A parameter that is itself a Reason is
worded in the same language: the small codes under "words" below are such parameters
(a kind of value, a severity, "a KPI"), so a sentence and its words always agree.
Paths (`kpis.marge.alerts[1].severity`) and the format's keywords (`monthly`, `warning`)
are quoted as written in both languages: they are what the reader types.
"""

from __future__ import annotations

PACK_MESSAGES: dict[str, tuple[str, str]] = {
    # --- the schema (schema.py): `where` is a path, or the file itself ---
    "the_file": ("the file", "le fichier"),
    "invalid_name": (
        "{where}: '{name}' is not a valid name: use letters, digits and '_', not starting with a digit{accents}",
        "{where} : « {name} » n'est pas un nom valable : utilisez des lettres, des chiffres et « _ », sans commencer par un chiffre{accents}",
    ),
    "name_without_accents": (" (names are written without accents: write '{spelling}')", " (les noms s'écrivent sans accents : écrivez « {spelling} »)"),
    "unknown_key": (
        "{where}: unknown key '{key}'{hint}; allowed keys: {allowed}{split}",
        "{where} : clé inconnue « {key} »{hint} ; clés permises : {allowed}{split}",
    ),
    "split_by_comma": (
        " (a comma inside {braces} splits the text: put the text in quotes)",
        " (une virgule à l'intérieur de {braces} coupe le texte : mettez le texte entre guillemets)",
    ),
    "in_english": (" (in English: '{word}')", " (s'écrit en anglais : « {word} »)"),
    "required": ("{where}: '{key}' is required{hint}", "{where} : « {key} » est obligatoire{hint}"),
    "required_rollup": (
        " (sum for flows such as revenue, last for balances such as stocks, avg for averages)",
        " (sum pour les flux comme le chiffre d'affaires, last pour les soldes comme les stocks, avg pour les moyennes)",
    ),
    "required_formula": (
        " (how the KPI is computed, e.g. resultat_net / chiffre_affaires_ht)",
        " (comment l'indicateur se calcule, par exemple resultat_net / chiffre_affaires_ht)",
    ),
    "required_frequency": (" (daily, weekly, monthly, quarterly or yearly)", " (daily, weekly, monthly, quarterly ou yearly)"),
    "required_severity": (" (info, warning or critical)", " (info, warning ou critical)"),
    "required_when": (" (the condition that fires the alert, e.g. value < 0)", " (la condition qui déclenche l'alerte, par exemple value < 0)"),
    "not_one_of": ("{where}: {found} is not one of {choices}{hint}", "{where} : {found} n'est pas l'une des valeurs {choices}{hint}"),
    "expected_type": ("{where}: expected {expected}, found {found}", "{where} : on attend {expected}, pas {found}"),
    "not_allowed_here": ("{where}: {found} is not allowed here; expected {expected}", "{where} : {found} n'est pas permis ici ; on attend {expected}"),
    "at_least": ("{where}: must be at least {bound}, not {found}", "{where} : doit valoir au moins {bound}, pas {found}"),
    "at_most": ("{where}: must be at most {bound}, not {found}", "{where} : doit valoir au plus {bound}, pas {found}"),
    "not_empty": ("{where}: must not be empty", "{where} : ne doit pas être vide"),
    "too_short": ("{where}: must be at least {limit} characters long", "{where} : doit compter au moins {limit} caractères"),
    "too_long": ("{where}: must be at most {limit} characters long", "{where} : doit compter au plus {limit} caractères"),
    "twice": ("{where}: contains a value twice", "{where} : contient deux fois la même valeur"),
    "not_siren": (
        "{where}: '{text}' is not a SIREN number: 9 digits, like 123 456 789",
        "{where} : « {text} » n'est pas un numéro SIREN : 9 chiffres, comme 123 456 789",
    ),
    "not_account": (
        "{where}: '{text}' is not an account number or prefix: letters and digits only, like 707",
        "{where} : « {text} » n'est pas un numéro ou un début de compte : des lettres et des chiffres seulement, comme 707",
    ),
    "not_scenario_name": (
        "{where}: '{text}' is not a scenario name: lower-case letters, digits and '_', starting with a letter, like budget",
        "{where} : « {text} » n'est pas un nom de scénario : des minuscules, des chiffres et « _ », en commençant par une lettre, comme budget",
    ),
    "not_email": ("{where}: '{text}' is not an e-mail address (name@domain.fr)", "{where} : « {text} » n'est pas une adresse e-mail (nom@domaine.fr)"),
    "no_pattern": ("{where}: '{text}' is not written as expected ({pattern})", "{where} : « {text} » n'est pas écrit comme attendu ({pattern})"),
    "schema_other": ("{where}: {detail}", "{where} : {detail}"),
    # words: kinds of value, as the schema expects them and as they were found
    "type_object": ("a mapping of keys", "des clés et leurs valeurs"),
    "type_array": ("a list", "une liste"),
    "type_string": ("text", "du texte"),
    "type_integer": ("a whole number", "un nombre entier"),
    "type_boolean": ("true or false", "true ou false"),
    "type_formula": ("a formula or a number", "une formule ou un nombre"),
    "type_label": ("a label", "un libellé"),
    "type_value": ("a value", "une valeur"),
    "type_other": ("{type}", "{type}"),
    "either": ("{first} or {second}", "{first} ou {second}"),
    "found_nothing": ("nothing (empty value)", "une valeur vide"),
    "found_boolean": ("{word} (true/false)", "{word} (true/false)"),
    "found_mapping": ("a mapping", "des clés et leurs valeurs"),
    "found_list": ("a list", "une liste"),
    "found_text": ("{quoted}", "« {text} »"),
    "found_number": ("{number}", "{number}"),
    # --- YAML structure (yamlsource.py) ---
    "nested_too_deeply": (
        "the file is nested too deeply to be a pack or facts file; refused",
        "le fichier est imbriqué trop profondément pour être un pack ou un fichier de données ; refusé",
    ),
    "not_yaml": ("not valid YAML: {detail}", "YAML invalide : {detail}"),
    "too_many_values": (
        "file expands to more than {limit} values (an alias bomb?); refused",
        "le fichier se développe en plus de {limit} valeurs (une bombe d'alias ?) ; refusé",
    ),
    "yaml_tag": ("YAML tag {quoted} is not allowed here", "l'étiquette YAML « {tag} » n'est pas permise ici"),
    "recursive_alias": ("recursive YAML alias refers to itself", "un alias YAML récursif renvoie à lui-même"),
    "merge_key": (
        "YAML merge keys ('<<') are not supported: write the keys",
        "les clés de fusion YAML (« << ») ne sont pas prises en charge : écrivez les clés",
    ),
    "key_not_word": ("a key must be a plain word", "une clé doit être un simple mot"),
    "duplicate_key": (
        "duplicate key {quoted} (first defined at line {line}); keep only one",
        "clé « {key} » en double (déjà définie à la ligne {line}) ; n'en gardez qu'une",
    ),
    "number_as_text": ("{detail} (write it in quotes if it is meant as text)", "{detail} (mettez-le entre guillemets s'il s'agit de texte)"),
    # --- finding and reading files (loader.py, files.py) ---
    "missing": ("no such file or folder", "fichier ou dossier introuvable"),
    "not_yaml_file": ("is not a .yaml or .yml file: a pack is written in YAML", "n'est pas un fichier .yaml ou .yml : un pack s'écrit en YAML"),
    "no_yaml_file": (
        "holds no .yaml or .yml definition file: a pack is written in YAML",
        "ne contient aucun fichier de définitions .yaml ou .yml : un pack s'écrit en YAML",
    ),
    "folder_too_large": (
        "the folder is too large for a pack: more than {entries} entries or {depth} levels of folders; a pack folder holds its YAML files",
        "le dossier est trop grand pour un pack : plus de {entries} entrées ou {depth} niveaux de dossiers ; un dossier de pack contient ses fichiers YAML",
    ),
    "linked_outside": ("a symbolic link to a file outside {root}: not read", "un lien symbolique vers un fichier hors de « {root} » : non lu"),
    "extends_loop": ("'extends' loops back to {base}", "« extends » revient en boucle sur {base}"),
    "extends_missing": ("extended pack {base} does not exist", "le pack étendu « {base} » n'existe pas"),
    "extends_absolute": (
        "'extends' names an absolute path ({path}); name the pack by a path relative to this file, or 'standard'",
        "« extends » donne un chemin absolu ({path}) ; nommez le pack par un chemin relatif à ce fichier, ou « standard »",
    ),
    "extends_outside": (
        "'extends' leads outside {root} ({path}): a pack extends packs below or beside its folder, never further up",
        "« extends » mène hors de « {root} » ({path}) : un pack étend des packs sous son dossier ou à côté, jamais plus haut",
    ),
    "extends_not_given": (
        "extends '{base}': Pack.from_texts {allowed}; use load_pack for packs on disk",
        "extends « {base} » : Pack.from_texts {allowed} ; utilisez load_pack pour les packs sur disque",
    ),
    "can_extend": ("can only extend {bases}", "ne peut étendre que {bases}"),
    "nothing_to_extend": ("was given no pack to extend", "n'a reçu aucun pack à étendre"),
    "not_utf8": ("not UTF-8 text (byte {byte}); save the file as UTF-8", "pas du texte UTF-8 (octet {byte}) ; enregistrez le fichier en UTF-8"),
    "not_regular": (
        "is not a regular file ({file_kind}); give a file saved on disk",
        "n'est pas un fichier ordinaire ({file_kind}) ; indiquez un fichier enregistré sur disque",
    ),
    "too_large": ("is larger than {limit} bytes, the most kpi reads from one file", "dépasse {limit} octets, la taille maximale que kpi lit dans un fichier"),
    "unreadable": ("cannot be read: {error}", "illisible : {error}"),
    "is_input": (
        "is an input of this command ({input}); choose another output file",
        "est une entrée de cette commande ({input}) ; choisissez un autre fichier de sortie",
    ),
    "exists": ("already exists; add --force to replace it", "existe déjà ; ajoutez --force pour le remplacer"),
    "symlink": (
        "is a symbolic link; kpi does not write through links, give the real path",
        "est un lien symbolique ; kpi n'écrit pas à travers un lien, indiquez le vrai chemin",
    ),
    "outside": ("leads outside {folder} (through a symbolic link)", "mène hors de {folder} (par un lien symbolique)"),
    "not_writable_kind": (
        "exists and is not a regular file ({file_kind}); use '-' for standard output",
        "existe et n'est pas un fichier ordinaire ({file_kind}) ; utilisez « - » pour la sortie standard",
    ),
    "unwritable": ("cannot be written: {error}", "impossible à écrire : {error}"),
    "file_dir": ("a folder", "un dossier"),
    "file_fifo": ("a named pipe", "un tube nommé"),
    "file_chr": ("a device", "un périphérique"),
    "file_blk": ("a device", "un périphérique"),
    "file_sock": ("a socket", "un socket"),
    "file_other": ("not a file", "pas un fichier"),
    # --- assembly of layers (assembly.py, entities.py, accounts.py) ---
    "kpi_in_extended": (
        "KPI '{name}' is already defined by the extended pack at {place}; change its target, owner or alerts under 'overrides:' or give your KPI another name",
        (
            "l'indicateur « {name} » est déjà défini par le pack étendu en {place} ; changez sa cible, son responsable ou ses alertes"
            " sous « overrides: » ou donnez un autre nom à votre indicateur"
        ),
    ),
    "rollup_kept": (
        "input '{name}' redefines the input of the extended pack at {place}: keep its rollup '{rollup}', not '{given}'",
        "la donnée « {name} » redéfinit celle du pack étendu en {place} : gardez son rollup « {rollup} », pas « {given} »",
    ),
    "input_twice": (
        "input '{name}' is defined twice: {other} of that name is already defined at {place}",
        "la donnée « {name} » est définie deux fois : {other} de ce nom existe déjà en {place}",
    ),
    "kpi_twice": (
        "KPI '{name}' is defined twice: {other} of that name is already defined at {place}",
        "l'indicateur « {name} » est défini deux fois : {other} de ce nom existe déjà en {place}",
    ),
    "cannot_override": (
        "cannot override KPI '{name}': it is not defined {why}{hint}",
        "impossible de modifier l'indicateur « {name} » par overrides : il n'est pas défini {why}{hint}",
    ),
    "override_own": ("in this pack, not in the pack it extends: edit it directly", "dans les packs étendus mais dans ce pack : modifiez-le directement"),
    "override_unknown": ("in the extended packs", "dans les packs étendus"),
    "not_a_date": (
        "{where}: '{text}' is not a date: write it YYYY-MM-DD, like 2026-03-31",
        "{where} : « {text} » n'est pas une date : écrivez-la AAAA-MM-JJ, comme 2026-03-31",
    ),
    "cannot_exclude": ("cannot exclude '{name}': {why}", "impossible d'exclure « {name} » : {why}"),
    "exclude_own": (
        "it is defined in this pack, not in the packs it extends: delete it instead",
        "il est défini dans ce pack, pas dans les packs qu'il étend : supprimez-le plutôt",
    ),
    "exclude_unknown": ("it is not a KPI of the extended packs{hint}", "ce n'est pas un indicateur des packs étendus{hint}"),
    "cannot_exclude_tag": (
        "cannot exclude tag '{tag}': no KPI of the extended packs has it",
        "impossible d'exclure l'étiquette « {tag} » : aucun indicateur des packs étendus ne la porte",
    ),
    "excluded_but_read": (
        "cannot exclude KPI '{excluded}': KPI '{name}' (at {place}) reads it; exclude '{name}' too, or keep '{excluded}'",
        "impossible d'exclure l'indicateur « {excluded} » : l'indicateur « {name} » (en {place}) le lit ; excluez aussi « {name} », ou gardez « {excluded} »",
    ),
    "group_cycle": ("group '{group}' contains itself: {cycle}", "le groupe « {group} » se contient lui-même : {cycle}"),
    "listed_twice": (
        "group '{group}' lists '{member}' twice: each entity may be counted once",
        "le groupe « {group} » cite deux fois « {member} » : chaque entité ne peut être comptée qu'une fois",
    ),
    "counted_twice": (
        "group '{group}' counts '{member}' twice ({ways}): each entity may be counted once",
        "le groupe « {group} » compte deux fois « {member} » ({ways}) : chaque entité ne peut être comptée qu'une fois",
    ),
    "both": ("{first} and {second}", "{first} et {second}"),
    "as_member": ("as a member", "comme membre"),
    "through": ("through '{way}'", "par « {way} »"),
    "flow_or_balance": (
        "{where}: give either 'flow' (movements of the month) or 'balance' (balance at the end of the month), found {found}",
        "{where} : indiquez soit « flow » (mouvements du mois), soit « balance » (solde de fin de mois) ; trouvé : {found}",
    ),
    "found_both": ("both", "les deux"),
    "found_neither": ("neither", "aucun des deux"),
    "accounts_rollup": (
        "{where}.rollup: an input fed by a {rule} of accounts rolls up with '{rollup}', not '{given}'",
        "{where}.rollup : une donnée alimentée par un {rule} de comptes se cumule avec « {rollup} », pas « {given} »",
    ),
    "rule_flow": ("flow", "flux"),
    "rule_balance": ("balance", "solde"),
    "included_and_excluded": ("{where}: account '{account}' is both included and excluded", "{where} : le compte « {account} » est à la fois inclus et exclu"),
    # --- pack tests (packtests.py): the failures `kpi test` prints ---
    "test_failure": ("test '{test}': {cause}", "test « {test} » : {cause}"),
    "as_written": ("{text}", "{text}"),
    "test_not_an_input": ("'{name}' is not an input of the pack{hint}", "« {name} » n'est pas une donnée d'entrée du pack{hint}"),
    "test_no_entity": (
        "the test's facts have no entity '{name}' (entities: {listed})",
        "les données du test n'ont pas d'entité « {name} » (entités : {listed})",
    ),
    "no_entities": ("none", "aucune"),
    "test_not_covered": ("the test's facts do not cover {period}: they run from {span}", "les données du test ne couvrent pas {period} : elles vont de {span}"),
    "span": ("{first} to {last}", "{first} à {last}"),
    "unknown_kpi": ("unknown KPI '{name}'{hint}", "indicateur inconnu « {name} »{hint}"),
    "scenario_backend": (
        "expectations under a scenario need a backend that computes scenarios, not {backend}",
        "les attentes sous un scénario demandent un moteur qui calcule les scénarios, pas {backend}",
    ),
    "test_where": ("{name} at {period}{for_entity}{under}", "{name} en {period}{for_entity}{under}"),
    "test_for_entity": (" for entity '{name}'", " pour l'entité « {name} »"),
    "no_result": (
        "{where}: no result (do the facts cover {period} completely? the KPI is {known})",
        "{where} : aucun résultat (les données couvrent-elles {period} entièrement ? l'indicateur est {known})",
    ),
    "field_differs": ("{where}: {field} {detail}", "{where} : {field} : {detail}"),
    "field_value": ("value", "valeur"),
    "field_target": ("target", "cible"),
    "field_gap": ("gap", "écart"),
    "expected_undefined": ("expected undefined, got {got}", "attendu indéfini ; obtenu {got}"),
    "expected_neither": ("expected {quoted}, which is neither a number nor 'undefined'", "attendu « {text} », qui n'est ni un nombre ni « undefined »"),
    "got_undefined": ("expected {wanted}, got undefined ({cause})", "attendu {wanted} ; obtenu indéfini ({cause})"),
    "got_nothing": ("expected {wanted}, got nothing", "attendu {wanted} ; rien obtenu"),
    "got_other": (
        "expected {wanted}, got {got} (rounded to the decimals written: {rounded})",
        "attendu {wanted} ; obtenu {got} (arrondi aux décimales écrites : {rounded})",
    ),
    "status_differs": ("{where}: status expected {wanted}, got {got}{because}", "{where} : statut attendu {wanted} ; obtenu {got}{because}"),
    "because": (" ({cause})", " ({cause})"),
    "status_met": ("met", "atteint (met)"),
    "status_missed": ("missed", "manqué (missed)"),
    "status_no_target": ("no_target", "sans cible (no_target)"),
    "status_undefined": ("undefined", "indéfini (undefined)"),
    "reason_differs": (
        "{where}: reason expected to contain {quoted}, got {got}",
        "{where} : raison attendue contenant « {text} » ; obtenu {reason}",
    ),
    "no_reason": ("no reason", "aucune raison"),
    "quoted_reason": ("{reason}", "« {reason} »"),
    "alert_missing": (
        "expected a {alert_kind}alert on {name} at {period}{seen}{unsilenced}",
        "une alerte{alert_kind} était attendue sur {name} en {period}{seen}{unsilenced}",
    ),
    "alert_unexpected": (
        "expected no {alert_kind}alert on {name} at {period}, but got: {alert}",
        "aucune alerte{alert_kind} n'était attendue sur {name} en {period}, mais : {alert}",
    ),
    "alert_kind": ("{severity}{silenced}{inhibited}", "{severity}{silenced}{inhibited}"),
    "kind_info": ("info ", " d'information"),
    "kind_warning": ("warning ", " d'attention"),
    "kind_critical": ("critical ", " critique"),
    "kind_silenced": ("silenced ", " suspendue"),
    "kind_inhibited": ("inhibited ", " masquée"),
    "alerts_fired": ("; alerts that fired there: {fired}", " ; alertes déclenchées : {fired}"),
    "no_alert_fired": ("; no alert fired there", " ; aucune alerte ne s'est déclenchée"),
    "no_as_of": (" (the test has no as_of: no silence applies)", " (le test n'a pas de as_of : aucune suspension ne s'applique)"),
    "fired_and": ("{first}; {second}", "{first} ; {second}"),
    "fired_alert": ("{level}: {message}{states}", "{level} : {message}{states}"),
    "level_info": ("info", "info"),
    "level_warning": ("warning", "attention"),
    "level_critical": ("critical", "critique"),
    "alert_states": (" ({states})", " ({states})"),
    "silenced_by": ("silenced: {reason}", "suspendue : {reason}"),
    "hidden_by": ("hidden by {rule}", "masquée par {rule}"),
    # --- what the SQL backend cannot compute yet (backends/sql/plan.py, backends/duckdb.py) ---
    "sql_refuses": ("{refusal}: the SQL backend refuses it (use the python backend)", "{refusal} : le moteur SQL le refuse (utilisez le moteur python)"),
    "sql_number": (
        "the number {literal} has more than {digits} decimals or is too large",
        "le nombre {literal} a plus de {digits} décimales ou est trop grand",
    ),
    "sql_power": (
        "a power whose exponent is not a constant whole number between -{limit} and {limit}",
        "une puissance dont l'exposant n'est pas un nombre entier constant entre -{limit} et {limit}",
    ),
    "sql_scenario_in_recursion": (
        "the scenario read {function}() in a KPI that reads its own previous value",
        "la lecture de scénario {function}() dans un indicateur qui lit sa propre valeur précédente",
    ),
    "sql_round": ("round to fewer than {limit} decimals", "un arrondi à moins de {limit} décimales"),
    "sql_time_in_recursion": (
        "the time function {function}() in a KPI that reads its own previous value (only prev() or lag(x, 1) of it)",
        "la fonction de temps {function}() dans un indicateur qui lit sa propre valeur précédente (seuls prev() ou lag(x, 1) de celle-ci)",
    ),
    "sql_no_trace": (
        "kpi explain traces a value on the python backend only: the {backend} backend computes whole columns, not one value's tree",
        "kpi explain ne retrace une valeur qu'avec le moteur python : le moteur {backend} calcule des colonnes entières, pas l'arbre d'une valeur",
    ),
}
