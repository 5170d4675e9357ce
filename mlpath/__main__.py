from mlpath.cli.app import main

main()
