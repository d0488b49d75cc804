"""Entry point of the hosted demo (Streamlit Community Cloud): the same app as ``app.py``, unchanged.

Community Cloud installs the dependency file beside the entry point, so pointing it at this file picks
``deploy/requirements.txt`` (CPU-only PyTorch wheels, which fit the free tier's memory) instead of the
root ``requirements.txt`` (the CUDA build the local install uses). Nothing else differs.
"""

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
