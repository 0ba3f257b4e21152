"""The bank's virtual bar code (pankkiviivakoodi) of Finance Finland's bar code guide, and
its drawing as a Code 128 bar code.

The 54 digits: the version (4 with a Finnish reference, 5 with an RF reference), the
IBAN's 16 digits, the amount as 6 digits of euros and 2 of cents, then the reference
(version 4: three zeros and the reference padded to 20 digits; version 5: the RF check
digits and the reference padded to 21 digits), and the due date as YYMMDD (000000 when the
invoice has none). An amount of zero or above 999 999,99 € is written as zeros: the payer
types the amount.

Code 128 set C writes two digits a symbol: the start symbol C (105), the 27 pairs, a check
symbol ((105 + Σ position × pair) mod 103, positions from 1) and the stop symbol.
"""

import re

from stdnum import iban as stdnum_iban

from engines.reference import InvalidReference, is_rf_reference, parse_payment_reference

LARGEST_AMOUNT_CENTS = 99_999_999

# Code 128 symbols 0–106 as the widths of their bars and spaces, bar first (ISO/IEC 15417).
_CODE_128_WIDTHS = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",
    "132212", "221213", "221312", "231212", "112232", "122132", "122231", "113222",
    "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131",
    "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321",
    "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121",
    "313121", "211331", "231131", "213113", "213311", "213131", "311123", "311321",
    "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224",
    "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112",
    "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113",
    "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412",
    "211214", "211232", "2331112",
)
_START_C = 105
_STOP = 106
QUIET_ZONE_MODULES = 10


def virtual_bar_code(iban, amount_cents, reference, due_date=None):
    """The 54 digits for a Finnish IBAN, an amount in cents, a Finnish or RF reference and
    the due date (a date, or None). Raises ValueError for an IBAN that is not a Finnish
    one, a negative amount, or a reference that is not one (InvalidReference)."""
    account = stdnum_iban.validate(iban)
    if not account.startswith("FI"):
        raise ValueError("the virtual bar code is for Finnish bank accounts")
    if amount_cents < 0:
        raise ValueError("the amount of a bar code cannot be negative")
    if amount_cents > LARGEST_AMOUNT_CENTS:
        amount_cents = 0
    version, reference_field = _version_and_reference(reference)
    due = due_date.strftime("%y%m%d") if due_date else "000000"
    return f"{version}{account[2:]}{amount_cents:08d}{reference_field}{due}"


def _version_and_reference(reference):
    compact = parse_payment_reference(reference)
    if not is_rf_reference(compact):
        return 4, f"000{compact:0>20}"
    if not re.fullmatch(r"RF[0-9]{3,23}", compact):
        raise InvalidReference("format")
    return 5, f"{compact[2:4]}{compact[4:]:0>21}"


def code_128_c_symbols(digits):
    """The Code 128 set C symbol values for an even number of digits: the start symbol,
    one value a pair, the check symbol and the stop symbol."""
    if not re.fullmatch(r"(?:[0-9]{2})+", digits):
        raise ValueError("Code 128 set C writes an even number of digits")
    pairs = [int(digits[start:start + 2]) for start in range(0, len(digits), 2)]
    check = (_START_C + sum(position * pair for position, pair in enumerate(pairs, 1))) % 103
    return [_START_C, *pairs, check, _STOP]


def code_128_modules(digits):
    """The bar code as a string of modules, "1" a bar and "0" a space, quiet zones included."""
    modules = []
    for symbol in code_128_c_symbols(digits):
        for index, width in enumerate(_CODE_128_WIDTHS[symbol]):
            modules.append(("1" if index % 2 == 0 else "0") * int(width))
    quiet = "0" * QUIET_ZONE_MODULES
    return f"{quiet}{''.join(modules)}{quiet}"


def bar_code_svg(digits, module_mm="0.25", height_mm="13"):
    """The digits drawn as a Code 128 bar code in SVG, sized in millimetres (by default a
    0.25 mm module, 88 mm wide with the quiet zones, and 13 mm high). The digits are not
    drawn under the bars: the invoice prints them as text, which a screen reader reads."""
    modules = code_128_modules(digits)
    bars = [match.span() for match in re.finditer("1+", modules)]
    path = "".join(f"M{start} 0h{end - start}v1h-{end - start}z" for start, end in bars)
    width = len(modules)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 1" '
        f'width="{width * float(module_mm):g}mm" height="{height_mm}mm" '
        f'preserveAspectRatio="none" role="img" aria-label="{digits}">'
        f'<path fill="#000" d="{path}"/></svg>'
    )
