"""The Textual screen of bptui: everything that imports Textual lives in this package.

Data flows one way: the main screen owns the :class:`~bptui.cursor.Cursor`, makes one
immutable :class:`~bptui.tui.view.View` after every move and hands it to the panels, which
only render it.
"""
