"""Import a CamCOPS 2.4.x server database into copse (issue 19).

The source is read only, inside one consistent-snapshot transaction, so a
running CamCOPS server can stay up.  Server PKs, device, user and group ids
are kept as they are, so predecessor/successor links, special notes, task
schedules and the audit trail keep pointing at the same rows without any
remapping, and a tablet that carries on uploading finds its records.
"""

from copse.services.camcops_import.errors import ImportProblem
from copse.services.camcops_import.run import ImportOptions, ImportResult, run_import

__all__ = ["ImportOptions", "ImportProblem", "ImportResult", "run_import"]
