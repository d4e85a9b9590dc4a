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
        tree = table.tree({"code": 0, "theme": 1})
        assert tree[0] == (parent.id, 0) and tree[1] == (made[0].id, 1)  # the higher level first, its child below
        assert [theme_id for theme_id, _ in tree[2:]] == sorted(
            (t.id for t in made[1:]), key=lambda i: (table[i].name.casefold(), i))
        fresh = project.theme_table()
        assert made[2].id in fresh and -1 not in fresh and len(fresh) == len(names) + 1
        assert not fresh._made  # nothing made by asking what is there
        assert fresh[made[2].id] is fresh[made[2].id] and len(fresh._made) == 1
    finally:
        project.close()


def test_a_tree_leaves_out_other_cases_and_puts_orphans_and_loops_last(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "t.margin", method="ipa", coder="VR")
    try:
        p1, p2 = project.add_participant("P01"), project.add_participant("P02")
        get = project.create_theme("Belonging", level="get")
        pet2 = project.create_theme("Their place", level="pet", participant_id=p2.id, parent_id=get.id)
        under_other = project.create_theme("Asked by name", level="statement", participant_id=p1.id)
        mine = project.create_theme("A corner", level="statement", participant_id=p1.id)
        project.conn.execute("UPDATE themes SET parent_id = ? WHERE id = ?", (pet2.id, under_other.id))
        a = project.create_theme("Loop a", level="statement")
        b = project.create_theme("Loop b", level="statement", parent_id=a.id)
        project.conn.execute("UPDATE themes SET parent_id = ? WHERE id = ?", (b.id, a.id))  # a damaged loop
        rank = {"statement": 0, "pet": 1, "get": 2}
        tree = project.theme_table().tree(rank, case=p1.id)
        ids = [theme_id for theme_id, _ in tree]
        assert pet2.id not in ids  # another case's PET
        assert tree[:2] == [(get.id, 0), (mine.id, 0)]
        assert tree[2:] == [(under_other.id, 0), (a.id, 0), (b.id, 0)]  # parent hidden, then the loop, by name
        everyone = dict(project.theme_table().tree(rank))
        assert everyone[pet2.id] == 1 and everyone[under_other.id] == 2
    finally:
        project.close()
