"""`python -m reso …` is the `reso` console script."""

from reso.ui.cli import main

if __name__ == "__main__":
    main()
