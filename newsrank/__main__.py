from newsrank.cli import main

main()
