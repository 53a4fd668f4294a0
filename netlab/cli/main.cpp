// netlab: thin main; all commands live in netlab/cli.
int main() { return 0; }
