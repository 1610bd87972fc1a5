from stc.cli import run

run()
