"""`python -m readlist` runs the `readlist` command."""

from readlist.cli import main

main()
