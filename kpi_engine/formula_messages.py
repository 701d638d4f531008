"""Mistakes in formulas in words: syntax, names, functions, units and the lint's advice.

code -> (English, French), worded by `reasons.Reason` at the edge (`Problem.of`), so
`kpi validate --lang fr` and `kpi lint --lang fr` read every formula problem in French.
English is the text of record (tests and docs/reference.md quote it). A parameter that is
itself a Reason (a context, a hint, a role) is worded in the same language; `quoted` is
Python's quoting of a character or token for the English text, `char`/`token` the same
character bare for the French « » quotes. Literal braces are doubled (`{{value}}`).
"""

from __future__ import annotations

_SPLIT_EN, _SPLIT_FR = "split it into intermediate KPIs", "découpez-la en indicateurs intermédiaires"

# --- syntax (parser) -------------------------------------------------------------------------------
_SYNTAX: dict[str, tuple[str, str]] = {
    "formula_at": ("{path}: {cause}", "{path} : {cause}"),  # a syntax error, after the YAML path of its formula
    "formula_too_long": (
        f"formula is {{count}} characters long; the limit is {{limit}}: {_SPLIT_EN}",
        f"la formule fait {{count}} caractères ; la limite est de {{limit}} : {_SPLIT_FR}",
    ),
    "formula_empty": ("formula is empty", "la formule est vide"),
    "formula_too_nested": (f"formula is nested too deeply: {_SPLIT_EN}", f"la formule est trop imbriquée : {_SPLIT_FR}"),
    "formula_depth_limit": (
        f"formula is nested more than {{limit}} levels deep: {_SPLIT_EN}",
        f"la formule a plus de {{limit}} niveaux d'imbrication : {_SPLIT_FR}",
    ),
    "parenthesis_not_closed": ("a parenthesis is not closed: add ')'", "une parenthèse n'est pas fermée : ajoutez « ) »"),
    "ends_too_early": (
        "formula ends too early: an operand is missing at the end",
        "la formule s'arrête trop tôt : il manque un terme à la fin",
    ),
    "leading_equals": (
        "a formula is written without the leading '=' of a spreadsheet",
        "une formule s'écrit sans le « = » initial d'un tableur",
    ),
    "single_equals": ("unexpected '=': write '==' to compare two values", "« = » inattendu : écrivez « == » pour comparer deux valeurs"),
    "percent_with_space": ("write a percentage without a space: 6%", "écrivez un pourcentage sans espace : 6%"),
    "accented_letter": (
        "unexpected {quoted}: names use letters without accents, digits and '_'; write '{spelling}'",
        "« {char} » inattendu : les noms s'écrivent avec des lettres sans accents, des chiffres et « _ » ; écrivez « {spelling} »",
    ),
    "unexpected_character": ("unexpected character {quoted}{advice}", "caractère « {char} » inattendu{advice}"),
    "hint_decimal_dot": (" (decimals use a dot: 12.5)", " (les décimales s'écrivent avec un point : 12.5)"),
    "hint_argument_comma": (
        " (separate a function's arguments with ',': max(a, b))",
        " (séparez les arguments d'une fonction par « , » : max(a, b))",
    ),
    "hint_typographic_minus": (" (a typographic minus: write '-')", " (un signe moins typographique : écrivez « - »)"),
    "hint_dash": (" (a dash: write '-' for minus)", " (un tiret : écrivez « - » pour moins)"),
    "hint_times": (" (write '*' to multiply)", " (écrivez « * » pour multiplier)"),
    "hint_divide": (" (write '/' to divide)", " (écrivez « / » pour diviser)"),
    "hint_no_quotes": (" (names are written without quotes)", " (les noms s'écrivent sans guillemets)"),
    "hint_and": (" (write 'and': a > 0 and b > 0)", " (écrivez « and » : a > 0 and b > 0)"),
    "hint_or": (" (write 'or': a > 0 or b > 0)", " (écrivez « or » : a > 0 or b > 0)"),
    "hint_not": (" (write 'not': not a > 0)", " (écrivez « not » : not a > 0)"),
    "scientific_notation": (
        "scientific notation is not supported: write the number in full (1e3 is 1000)",
        "la notation scientifique n'est pas acceptée : écrivez le nombre en entier (1e3 s'écrit 1000)",
    ),
    "unmatched_parenthesis": (
        "unbalanced parenthesis: this ')' has no matching '('",
        "parenthèses déséquilibrées : cette « ) » n'a pas de « ( » correspondante",
    ),
    "missing_operator": ("missing operator before {quoted}", "opérateur manquant avant « {token} »"),
    "spreadsheet_different": (
        "write '!=' for 'different from' ('<>' is a spreadsheet's)",
        "écrivez « != » pour « différent de » (« <> » est l'écriture d'un tableur)",
    ),
    "chained_comparison": (
        "comparisons cannot be chained: write 'a < b and b < c' instead of 'a < b < c'",
        "les comparaisons ne s'enchaînent pas : écrivez « a < b and b < c » au lieu de « a < b < c »",
    ),
    "decimal_comma": (
        "unexpected ',': decimals use a dot (12.5)",
        "virgule inattendue : dans une formule, les décimales s'écrivent avec un point (12.5)",
    ),
    "operand_missing": ("unexpected {token}: an operand is missing before it", "{token} inattendu : il manque un terme avant"),
    "token_name": ("name {quoted}", "nom « {token} »"),
    "token_number": ("number {quoted}", "nombre « {token} »"),
    "token_percentage": ("percentage {quoted}", "pourcentage « {token} »"),
    "token_symbol": ("{quoted}", "« {token} »"),
    "operator_word": (
        "write '{operator}' for '{word}': the logical operators are and, or, not",
        "écrivez « {operator} » pour « {word} » : les opérateurs logiques sont and, or, not",
    ),
}

# --- where a formula sits, and what is wrong with its names, functions and types (semantics) --------
_CHECKS: dict[str, tuple[str, str]] = {
    "in_context": ("{context}: {cause}", "{context} : {cause}"),
    "context_formula": ("KPI '{kpi}': formula", "indicateur « {kpi} » : formule"),
    "context_target": ("KPI '{kpi}': target", "indicateur « {kpi} » : cible"),
    "context_condition": ("KPI '{kpi}': alert {number} condition", "indicateur « {kpi} » : alerte {number}, condition"),
    "context_resolve_when": (
        "KPI '{kpi}': alert {number} resolve_when",
        "indicateur « {kpi} » : alerte {number}, condition de fin (resolve_when)",
    ),
    "context_message": ("KPI '{kpi}': alert {number} message", "indicateur « {kpi} » : alerte {number}, message"),
    "needs_target": (
        "uses '{name}' but the KPI has no target, so it could never fire",
        "utilise « {name} » mais l'indicateur n'a pas de cible : l'alerte ne pourrait jamais se déclencher",
    ),
    "unknown_name": ("unknown name '{name}'{hint}", "nom inconnu « {name} »{hint}"),
    "wrong_type": ("must be {wanted}, but this is {found}", "doit être {wanted}, mais c'est {found}"),
    "operand_type": ("{role} must be {wanted}", "{role} doit être {wanted}"),
    "type_number": ("a number", "un nombre"),
    "type_condition": ("a condition", "une condition"),
    "type_condition_example": ("a condition (for example value < 0)", "une condition (par exemple value < 0)"),
    "type_true_false": ("a condition (true/false)", "une condition (vrai/faux)"),
    "role_operand": ("the operand of '{op}'", "l'opérande de « {op} »"),
    "role_sides": ("each side of '{op}'", "chaque côté de « {op} »"),
    "role_argument": ("argument {position} of {function}()", "l'argument {position} de {function}()"),
    "role_nth_argument": ("the {ordinal} argument of {function}()", "le {ordinal} argument de {function}()"),
    "ordinal_1": ("first", "premier"),
    "ordinal_2": ("second", "deuxième"),
    "ordinal_3": ("third", "troisième"),
    "ordinal_n": ("number {position}", "{position}e"),
    "unknown_function": (
        "unknown function '{function}'{advice}{hint}; functions are {functions}",
        "fonction inconnue « {function} »{advice}{hint} ; les fonctions sont {functions}",
    ),
    "function_lowercase": (
        " (function names are written in lowercase: '{spelling}')",
        " (les noms de fonctions s'écrivent en minuscules : « {spelling} »)",
    ),
    "spreadsheet_if": (" (write if(condition, a, b))", " (écrivez if(condition, a, b))"),
    "spreadsheet_sum": (
        " (add the terms with +, or use rolling_sum / ytd over periods)",
        " (additionnez les termes avec +, ou utilisez rolling_sum / ytd sur plusieurs périodes)",
    ),
    "spreadsheet_average": (
        " (write (a + b) / 2, or rolling_avg over periods)",
        " (écrivez (a + b) / 2, ou rolling_avg sur plusieurs périodes)",
    ),
    "spreadsheet_round": (" (write round(x, n))", " (écrivez round(x, n))"),
    "spreadsheet_iferror": (" (write coalesce(x, fallback))", " (écrivez coalesce(x, valeur_de_repli))"),
    "spreadsheet_and": (" (write a and b)", " (écrivez a and b)"),
    "spreadsheet_or": (" (write a or b)", " (écrivez a or b)"),
    "spreadsheet_not": (" (write not a)", " (écrivez not a)"),
    "arity": ("{function}() takes {arity}, not {count} (example: {usage})", "{function}() prend {arity}, et non {count} (exemple : {usage})"),
    "arity_one": ("1 argument", "1 argument"),
    "arity_exactly": ("{count} arguments", "{count} arguments"),
    "arity_at_least": ("at least {count} arguments", "au moins {count} arguments"),
    "arity_range": ("{low} to {high} arguments", "{low} à {high} arguments"),
    "count_not_literal": (
        "the count in {function}() must be a whole number written as is, like 3",
        "le nombre indiqué dans {function}() doit être un entier écrit tel quel, comme 3",
    ),
    "count_at_least": ("the count in {function}() must be at least {limit}", "le nombre indiqué dans {function}() doit être au moins {limit}"),
    "count_at_most": ("the count in {function}() must be at most {limit}", "le nombre indiqué dans {function}() doit être au plus {limit}"),
    "branches_both": (
        "both branches of {function}() must be numbers, or both conditions",
        "les deux branches de {function}() doivent être des nombres, ou toutes deux des conditions",
    ),
    "branches_all": (
        "all branches of {function}() must be numbers, or all conditions",
        "toutes les branches de {function}() doivent être des nombres, ou toutes des conditions",
    ),
    "dependency_cycle": (
        "dependency cycle: {path} (a KPI cannot use itself at the same period; use prev() for a roll-forward)",
        (
            "dépendance circulaire : {path} (un indicateur ne peut pas s'utiliser lui-même sur la même période ;"
            " utilisez prev() pour reporter la valeur de la période précédente)"
        ),
    ),
    "reserved_name": (
        "'{name}' is a reserved word and cannot name {what}: choose another name",
        "« {name} » est un mot réservé et ne peut pas nommer {what} : choisissez un autre nom",
    ),
    "an_input": ("an input", "une donnée"),
    "a_kpi": ("a KPI", "un indicateur"),
    "no_direction": (
        (
            "KPI '{kpi}' has a target but no direction: add 'direction: higher_is_better' "
            "or 'direction: lower_is_better' so the engine knows whether the target was met"
        ),
        (
            "l'indicateur « {kpi} » a une cible mais pas de sens (direction) : ajoutez « direction: higher_is_better » "
            "ou « direction: lower_is_better » pour que le moteur sache si la cible est atteinte"
        ),
    ),
    "audience_unknown_kpi": ("audience '{audience}': unknown KPI '{name}'{hint}", "audience « {audience} » : indicateur inconnu « {name} »{hint}"),
    "silence_unknown_kpi": ("silences: unknown KPI '{name}'{hint}", "silences : indicateur inconnu « {name} »{hint}"),
    "silence_unknown_rule": (
        "silences: KPI '{kpi}' has no rule '{rule}' (its rules: {rules})",
        "silences : l'indicateur « {kpi} » n'a pas de règle « {rule} » (ses règles : {rules})",
    ),
    "no_rules": ("none: it has no alert rule", "aucune : il n'a pas de règle d'alerte"),
}

# --- alert message templates ---------------------------------------------------------------------
_TEMPLATES: dict[str, tuple[str, str]] = {
    "template_braces": (
        "{detail} (write '{{{{' and '}}}}' for literal braces)",
        "accolades mal appariées (écrivez « {{{{ » et « }}}} » pour des accolades littérales)",
    ),
    "template_not_a_name": (
        "'{{{field}}}' is not allowed: write a plain name such as {{value}}, without '.', '[' or '()'",
        "« {{{field}}} » n'est pas permis : écrivez un nom simple comme {{value}}, sans « . », « [ » ni « () »",
    ),
    "template_without_target": (
        "'{{{field}}}' is used but the KPI has no target: it would always read 'undefined'",
        "« {{{field}}} » est utilisé mais l'indicateur n'a pas de cible : il afficherait toujours « indéfini »",
    ),
    "template_unknown_name": ("unknown name '{{{field}}}'{advice}{hint}", "nom inconnu « {{{field}}} »{advice}{hint}"),
    "without_accents": (
        " (names are written without accents: write '{spelling}')",
        " (les noms s'écrivent sans accents : écrivez « {spelling} »)",
    ),
    "template_conversion": ("'!{conversion}' is not allowed in '{{{field}}}'", "« !{conversion} » n'est pas permis dans « {{{field}}} »"),
    "template_text_format": (
        "'{spec}' is not a valid text format in '{{{field}}}' (examples: >10, <20)",
        "« {spec} » n'est pas un format de texte valide dans « {{{field}}} » (exemples : >10, <20)",
    ),
    "template_number_format": (
        "'{spec}' is not a valid number format in '{{{field}}}' (examples: .1%, ,.2f, .0f)",
        "« {spec} » n'est pas un format de nombre valide dans « {{{field}}} » (exemples : .1%, ,.2f, .0f)",
    ),
    "template_width": (
        "'{spec}' in '{{{field}}}' asks for a width of {count} characters; the limit is {limit}",
        "« {spec} » dans « {{{field}}} » demande une largeur de {count} caractères ; la limite est de {limit}",
    ),
    "template_precision": (
        "'{spec}' in '{{{field}}}' asks for {count} decimals; the limit is {limit}",
        "« {spec} » dans « {{{field}}} » demande {count} décimales ; la limite est de {limit}",
    ),
}

# --- lint (analysis/lint.py): warnings the formulas' algebra finds ----------------------------------
_LINT: dict[str, tuple[str, str]] = {
    "lint_too_complex": ("KPI '{kpi}' is not linted: {cause}", "l'indicateur « {kpi} » n'est pas analysé : {cause}"),
    "lint_stopped": ("lint stopped: {cause}", "l'analyse s'est arrêtée : {cause}"),
    "lint_stopped_at": (
        "lint stopped at KPI '{kpi}', the KPIs after it are not linted: {cause}",
        "l'analyse s'est arrêtée à l'indicateur « {kpi} », les suivants ne sont pas analysés : {cause}",
    ),
    "lint_duplicate": (
        "KPI '{kpi}' is algebraically the same as '{first}' ({where}): a duplicate under another name?",
        "l'indicateur « {kpi} » est algébriquement identique à « {first} » ({where}) : un doublon sous un autre nom ?",
    ),
    "lint_simplifies": ("formula of '{kpi}' simplifies to {formula}{cancelled}", "la formule de « {kpi} » se simplifie en {formula}{cancelled}"),
    "lint_cancels": (" ({lost} cancels out)", " ({lost} s'annule)"),
    "lint_cancel": (" ({lost} cancel out)", " ({lost} s'annulent)"),
    "lint_zero_division": (
        "'{kpi}' divides by {input}, declared {declared}: it can be 0, and '{kpi}' is then undefined",
        "l'indicateur « {kpi} » divise par la donnée « {input} », déclarée {declared} : elle peut valoir 0, et « {kpi} » est alors indéfini",
    ),
    "lint_declared_min": ("min {minimum}", "avec un minimum de {minimum}"),
    "lint_declared_range": ("min {minimum}, max {maximum}", "entre {minimum} et {maximum}"),
    "lint_unit_mismatch": ("unit mismatch: {verb} {one} and {two}", "unités incompatibles : {verb} {one} et {two}"),
    "lint_adds": ("adds", "additionne"),
    "lint_compares": ("compares", "compare"),
    "lint_mixes": ("mixes", "mélange"),
    "lint_operand_unit": ("{formula} ({unit})", "{formula} ({unit})"),
    "unit_unknown": ("unknown", "inconnue"),
    "unit_pure_number": ("a pure number (ratio, percent or count)", "un nombre pur (ratio, pourcentage ou nombre)"),
    "lint_declared_unit": (
        "'{kpi}' is declared in {unit} but its formula yields {found}",
        "l'indicateur « {kpi} » a pour unité « {unit} » mais sa formule donne {found}",
    ),
    "lint_percent_times_100": (
        "'{kpi}' is a percent KPI and its formula multiplies by 100: percent KPIs are fractions (0.075 shows as 7.5%); remove `* 100`",
        (
            "l'indicateur « {kpi} » est en pourcentage et sa formule multiplie par 100 : un pourcentage est une fraction"
            " (0,075 s'affiche 7,5 %) ; retirez `* 100`"
        ),
    ),
}

FORMULA_MESSAGES: dict[str, tuple[str, str]] = _SYNTAX | _CHECKS | _TEMPLATES | _LINT
