from eksguard.cli import run

run()
