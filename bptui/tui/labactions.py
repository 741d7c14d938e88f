"""The main screen's lab keys (a mixin of MainScreen): where a number comes from, the
gradient check and the mistake lab."""

from __future__ import annotations

from functools import partial

from bptui.i18n import _
from bptui.tui.lab import GradCheckBody, MistakeScreen, params_for_sample
from bptui.tui.panel import SelectBox
from bptui.tui.provenance import ProvenanceScreen, leaf_source
from bptui.tui.view import View


class LabActions:
    """w, enter on a value, c, the ε command and m."""

    # -- where a number comes from ----------------------------------------------------

    def action_where(self) -> None:
        """The provenance of the current sub-step's number."""
        self._open_provenance(("step", self.cursor.index))

    def on_select_box_picked(self, message: SelectBox.Picked) -> None:
        message.stop()
        ref = message.ref
        if isinstance(ref, tuple) and ref[0] == "param":
            ref = self._param_ref(ref)
        self._open_provenance(ref)

    def _param_ref(self, ref: tuple) -> tuple:
        """A row of the updates panel: its update if done, else its gradient, else its value."""
        _tag, lay, kind, j, i, name = ref
        view = self.view
        found = None
        for ev in view.events if view is not None else ():
            if ev.kind not in ("update", "grad"):
                continue
            if j is None:  # a whole matrix (large nets): W2, W2+, dE/dW2
                same = ev.symbol in (name + "+", f"dE/d{name}")
            else:
                p = ev.param
                same = p is not None and (p.layer, p.kind, p.row, p.col) == (lay, kind, j, i)
            if same and (found is None or ev.kind == "update" or found.kind == "grad"):
                found = ev
        if found is not None:
            return ("step", found.position)
        return ("param", lay, kind, j, i, name)

    def _open_provenance(self, ref) -> None:
        if self.running or ref is None:
            return
        c = self.cursor
        if ref[0] == "step" and self.quiz.open is not None and ref[1] == c.index:
            self.notify(_("answer or skip (ctrl+s) the question first: its provenance shows "
                          "the answer"), markup=False)
            return
        if ref[0] == "step":
            screen = ProvenanceScreen(c.scenario, c.events, c.start_params, index=ref[1])
        elif ref[0] == "data" and getattr(c.scenario, "is_graph", False):
            from bptui.provenance import Source

            screen = ProvenanceScreen(c.scenario, c.events, c.start_params, leaf=Source(
                ref[1], c.start_params.values[ref[1]], "leaf", None,
                _("a leaf of the graph: its value at the start of this epoch")))
        elif ref[0] == "data":
            screen = ProvenanceScreen(c.scenario, c.events, c.start_params,
                                      leaf=leaf_source(c.scenario, ref[1], ref[2]))
        else:
            from bptui.provenance import Source

            _tag, lay, kind, j, i, name = ref
            params = self.view.params if self.view is not None else c.params_now()
            value = params.weights[lay - 1] if j is None else params.value(lay, kind, j, i)
            note = (_("its value now: not yet updated in this sample") if
                    c.scenario.mode == "sample" else _("its value now: not yet updated"))
            screen = ProvenanceScreen(c.scenario, c.events, c.start_params,
                                      leaf=Source(name, value, "parameter", None, note))
        self.app.push_screen(screen)

    # -- the gradient check and the mistake lab ---------------------------------------

    def action_gradcheck(self) -> None:
        """Open or close the gradient check; while open it follows every step."""
        self.checking = not self.checking

    def action_set_epsilon(self) -> None:
        """Change the gradient check's ε (command palette), and show the check with it."""
        from bptui.tui.screens import EpsilonScreen

        def done(eps: float | None) -> None:
            if eps is None:
                return
            self.epsilon = eps
            self._check_key = None
            if not self.checking:
                self.checking = True
            elif self.view is not None:
                self._update_check(self.view)

        self.app.push_screen(EpsilonScreen(self.epsilon), done)

    def _update_check(self, view: View) -> None:
        """Check the gradients of the current sample, at the parameters it starts from."""
        from bptui import gradcheck

        key = (view.epoch, view.event.sample, view.mistake, self.epsilon, id(view.scenario))
        if key != self._check_key and getattr(view.scenario, "is_graph", False):
            from bptui.graph import check  # every leaf, at the leaves this epoch starts from

            self._check_key = key
            self._report = check.check(view.scenario, view.start_params, mistake=view.mistake,
                                       epsilon=self.epsilon,
                                       tolerance=gradcheck.tolerance(self.epsilon))
        elif key != self._check_key:
            self._check_key = key
            self._report = gradcheck.check(view.scenario, params_for_sample(view),
                                           sample=view.event.sample or 1,
                                           mistake=view.mistake, epsilon=self.epsilon,
                                           tolerance=gradcheck.tolerance(self.epsilon))
        self.query_one(GradCheckBody).show_report(view, self._report)

    def action_mistakes(self) -> None:
        def chosen(name: str | None | bool) -> None:
            if name is False:  # cancelled
                return
            self._move(partial(self.cursor.set_mistake, name), back=True)

        self.app.push_screen(MistakeScreen(self.cursor.scenario, self.cursor.mistake), chosen)

