from tests.processes import demo_dir  # noqa: F401  (a fixture)
