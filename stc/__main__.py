from stc.cli import console

console()
