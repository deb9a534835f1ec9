"""Echo e2e: the supergroup story of megagroup_pyrofork.py driven by Kurigram 2.2.26
(layer 229).

Usage: python megagroup_kurigram.py HOST PORT PEM PHONE signup SESSION_FILE
"""

from common import parse_args, run_main
from kurigram_flow import Kurigram
from megagroup_pyrofork import scenario


def main():
    args = parse_args("kurigram")
    import pyrogram

    print(f"CLIENT kurigram {pyrogram.__version__} layer {pyrogram.raw.all.layer} megagroup",
          flush=True)
    run_main(lambda steps: scenario(steps, args, Kurigram()), args)


if __name__ == "__main__":
    main()
