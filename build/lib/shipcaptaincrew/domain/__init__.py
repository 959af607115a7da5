"""Pure domain: dataclasses, enums, money and rules. No I/O, no frameworks."""
