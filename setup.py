from setuptools import find_packages, setup

# Metadata lives in pyproject.toml. The package list is computed here because
# grammar/ sits at the top of the tree (design card) but ships inside the
# package as milter_manager.grammar, which pyproject.toml alone cannot express
# together with package discovery.
setup(
    packages=find_packages(include=["milter_manager", "milter_manager.*"])
    + ["milter_manager.grammar"],
    package_dir={"milter_manager.grammar": "grammar"},
)
