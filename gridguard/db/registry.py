"""Every table on SQLModel.metadata, for migrations and the database copy: each package's `tables` module, found
by walking the packages (a new capability's tables are registered by being there)."""

import gridguard
from gridguard.kernel.packages import submodules

TABLE_MODULES = [module.__name__ for module in submodules(gridguard, "tables")]
