"""The mode-coverage headline: numbers covered, the KL to a fair share, the samples counted, the
missing-modes sentence and the bars (ui.figures.coverage), in the words both pages share."""

from __future__ import annotations

import numpy as np
import streamlit as st

from gan_core.coverage import Coverage
from ui.figures.coverage import coverage_bars, kl_label


def coverage_panel(cov: Coverage, key: str, real: np.ndarray | None = None, unit: str = "digits") -> None:
    """Headline numbers, the missing-modes sentence and the bars, in the shared wording."""
    left, mid, right = st.columns(3)
    left.metric(f"{unit.capitalize()} covered", f"{cov.n_covered} / {cov.n_modes}")
    mid.metric(kl_label(cov.target), f"{cov.kl:.3f} nats" if np.isfinite(cov.kl) else "—",
               help="0 when every mode gets its fair share; log K when one mode takes everything; "
                    "— while no sample looks like any mode yet.")
    total = cov.n_samples + cov.not_digits
    noise = f"{cov.not_digits:,} not digits yet" if cov.not_digits else None
    right.metric("Samples counted", f"{total:,}", delta=noise, delta_color="off", delta_arrow="off",
                 help="Samples that look like no digit yet are counted in no digit." if noise else None)
    if 2 * cov.not_digits > total:  # mostly noise: neither success nor a collapse warning
        st.info(cov.sentence)
    else:
        (st.success if cov.n_covered == cov.n_modes else st.warning)(cov.sentence)
    st.plotly_chart(coverage_bars(cov, real), key=f"{key}_bars")
