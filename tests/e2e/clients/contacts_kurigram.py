"""Echo e2e: the contacts story of contacts_pyrofork.py driven by Kurigram 2.2.26 (layer 229).

Usage: python contacts_kurigram.py HOST PORT PEM PHONE signup SESSION_FILE

Phones are derived from PHONE with the prefixes 99977/99978/99979 (not used elsewhere).
"""

from common import parse_args, run_main
from contacts_pyrofork import scenario
from kurigram_flow import Kurigram


def main():
    args = parse_args("kurigram")
    import pyrogram

    print(f"CLIENT kurigram {pyrogram.__version__} layer {pyrogram.raw.all.layer} contacts",
          flush=True)
    run_main(lambda steps: scenario(steps, args, Kurigram()), args)


if __name__ == "__main__":
    main()
