"""Which PINs are too easy to guess, and why.

A PIN is the only thing between a person and a signature in their name. The
lockout stops someone guessing at the keyboard after a few tries, so what
matters is the first few guesses anyone would make: the most common PINs,
one digit repeated, a straight run up or down the keypad's digits.

The common PINs are the 100 most frequent 4-digit codes of Nick Berry's
analysis of 3.4 million 4-digit passwords from public breaches (DataGenetics,
"PIN analysis", September 2012, http://www.datagenetics.com/blog/september32012/);
his article names the first 20, and the order past them is that of the same
data set as published by the SecLists project
(``Passwords/Common-Credentials/four-digit-pin-codes-sorted-by-frequency-withcount.csv``).
Those 100 cover about a third of all the PINs people chose there.

The sample productions' demo PINs (1111, 2222, ...) are enrolled without this
check: they are marked as a sample and never belong on a real set.
"""

from __future__ import annotations

#: The 100 most common 4-digit PINs, most common first (see the module docstring for the source).
COMMON_PINS: tuple[str, ...] = tuple("""
1234 1111 0000 1212 7777 1004 2000 4444 2222 6969 9999 3333 5555 6666 1122 1313 8888 2001 4321 1010
0909 2580 0007 1818 1230 1984 1986 0070 1985 0987 1000 1231 1987 1999 2468 2002 2323 0123 1123 1233
1357 1221 1324 1988 2112 2121 5150 1024 1112 1224 1969 1225 1235 1982 1983 1001 1978 1979 7410 1020
1223 1974 1975 1977 1980 1981 1029 1121 1213 1973 1976 2020 2345 2424 2525 1515 1970 1972 1989 0001
1023 1414 9876 0101 0907 1245 1966 1967 1971 8520 1964 1968 4545 1318 5678 1011 1124 1211 1963 4200
""".split())

_COMMON = frozenset(COMMON_PINS)
SUGGESTION = "a PIN of 6 to 8 digits that means nothing to anyone else is far harder to guess"


def weak_pin_reason(pin: str) -> str | None:
    """Why ``pin`` is too easy to guess, or None when it is not (``pin`` is already known to be digits)."""
    if len(set(pin)) == 1:
        return f"{pin} is one digit repeated"
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    if steps == {1} or steps == {-1}:
        return f"{pin} is a straight run of digits {'up' if steps == {1} else 'down'}"
    if steps in ({1, -9}, {-1, 9}):
        return f"{pin} is a run of digits that wraps round (…8, 9, 0, 1…)"
    if pin in _COMMON:
        rank = COMMON_PINS.index(pin) + 1
        return f"{pin} is one of the 100 most common PINs (number {rank} in public studies of leaked PINs)"
    return None
