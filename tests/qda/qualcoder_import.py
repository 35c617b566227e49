"""Run QualCoder's own REFI-QDA project importer (refi.RefiImport.import_project, unchanged)
headless on a .qdpx, into a fresh QualCoder database, then compare what it stored with the
project: codes, sources, and for every coding the text QualCoder cut at (pos0, pos1) versus
the selection's name. Only the GUI shell is replaced: the file dialog (file_path set
directly), Message boxes (no-op), helpers.py (imports media players), and the App object
(a sqlite connection with QualCoder's own CREATE TABLE statements from __main__.py).

Run by hand (not by pytest; QualCoder and PyQt6 are not peercorpus dependencies):

    git clone QualCoder (github ccbogel/QualCoder) and put its src/ at /tmp/qc/src (or edit SRC)
    python3 -m venv /tmp/qdaread && /tmp/qdaread/bin/pip install PyQt6 lxml
    peercorpus code corpora/ -b configs/peer-support-codebook.yaml --qdpx /tmp/sample.qdpx
    /tmp/qdaread/bin/python tests/qda/qualcoder_import.py /tmp/sample.qdpx
"""
import ast
import builtins
import collections
import os
import sqlite3
import sys
import tempfile
import types
import zipfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
builtins._ = lambda s: s
SRC = "/tmp/qc/src"
qdpx = sys.argv[1]

# QualCoder's schema, taken from its new_project()
tree = ast.parse(open(f"{SRC}/qualcoder/__main__.py").read())
creates = []
for node in ast.walk(tree):
    if isinstance(node, ast.FunctionDef) and node.name == "new_project":
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value.startswith("CREATE TABLE"):
                creates.append(sub.value)
QtWidgets = __import__("PyQt6.QtWidgets", fromlist=["QtWidgets"])
qapp = QtWidgets.QApplication([])
helpers = types.ModuleType("qualcoder.helpers")
class Message:
    def __init__(self, *args, **kwargs):
        self.args = args

    def exec(self):
        print("  QualCoder message:", *[str(x)[:200] for x in self.args[1:3]])
        return 0
helpers.Message = Message
sys.modules["qualcoder.helpers"] = helpers
sys.path.insert(0, SRC)
from qualcoder import refi  # noqa: E402

work = tempfile.mkdtemp()
conn = sqlite3.connect(os.path.join(work, "data.qda"))
for statement in creates:
    conn.execute(statement)
os.makedirs(os.path.join(work, "documents"))
class Text:
    def append(self, text): pass
app = types.SimpleNamespace(conn=conn, project_path=work, project_name="imported", settings={"directory": work, "codername": "default", "ai_enable": "False"},
                            write_config_ini=lambda *a: None, ai_models=None, version="peercorpus-check")
importer = refi.RefiImport.__new__(refi.RefiImport)
importer.__dict__.update(app=app, parent_textedit=Text(), import_type="qdpx", file_path=qdpx, folder_name="", sources_name="/Sources",
                         file_vars=[], annotations=[], links=[], tree=None, codes=[], users=[], cases=[], sources=[], source_name_prefix=0,
                         variables=[], xml=None, base_path="", software_name="", xmlns_version="1.0", pd=None, pd_value=0)
importer.import_project()

from lxml import etree  # noqa: E402

with zipfile.ZipFile(qdpx) as z:
    root = etree.fromstring(z.read("project.qde"))
ns = "{urn:QDA-XML:project:1.0}"
expected = collections.Counter()
names = {}
for source in root.iter(ns + "TextSource"):
    for sel in source.findall(ns + "PlainTextSelection"):
        key = (source.get("name"), int(sel.get("startPosition")), int(sel.get("endPosition")))
        expected[key] += 1
        names[key] = sel.get("name")
rows = conn.execute("select s.name, c.pos0, c.pos1, c.seltext, n.name from code_text c join source s on s.id = c.fid join code_name n on n.cid = c.cid").fetchall()
same = sum(1 for name, p0, p1, text, code in rows if names.get((name, p0, p1)) == text)
print(f"QualCoder import: {conn.execute('select count(*) from source').fetchone()[0]} sources, "
      f"{conn.execute('select count(*) from code_name').fetchone()[0]} codes "
      f"({conn.execute('select count(*) from code_name where supercid is not null').fetchone()[0]} nested), "
      f"{len(rows)} codings of {sum(expected.values())} selections, {same} with the selection's text, "
      f"{conn.execute('select count(*) from attribute').fetchone()[0]} attribute values, {conn.execute('select count(*) from cases').fetchone()[0]} cases")
