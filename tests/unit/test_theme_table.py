"""The themes by id that the board reads: the same themes as `themes()`, each made when asked for."""

from __future__ import annotations

from pathlib import Path

from tui.project import Project
from tui.project.themes import ThemeTable


def test_a_theme_table_holds_what_themes_gives_in_its_order_and_makes_themes_as_asked(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "t.margin", method="ta", coder="VR")
    try:
        names = ["belonging", "Belonging at work", "Zeal", "apple", "Éclat", "éclair", "_under", "Ápple", "ward"]
        made = [project.create_theme(name, level="code") for name in names]
        parent = project.create_theme("Top", level="theme")
        project.update_theme(made[0].id, parent_id=parent.id)
        table = project.theme_table()
        assert isinstance(table, ThemeTable)
        assert [t.id for t in table.by_name()] == [t.id for t in project.themes()]  # SQLite's NOCASE order
        assert {t.id: t for t in project.themes()} == dict(table.items())
        assert table.parents()[made[0].id] == parent.id and table.parents()[parent.id] is None
        outline = {row[0]: row for row in table.outline()}
        assert outline[made[0].id] == (made[0].id, parent.id, "code", None, "belonging")
        assert outline[parent.id][1] is None
        fresh = project.theme_table()
        assert made[2].id in fresh and -1 not in fresh and len(fresh) == len(names) + 1
        assert not fresh._made  # nothing made by asking what is there
        assert fresh[made[2].id] is fresh[made[2].id] and len(fresh._made) == 1
    finally:
        project.close()
