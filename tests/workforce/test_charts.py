from earlyhelp.workforce.charts import bar_chart


def test_bars_share_one_scale_with_the_limit_line_on_it():
    chart = bar_chart(
        title="Caseload allocation: 18 cases",
        description="",
        values=[("L3", 1), ("L2A", 7), ("L2B", 9), ("L2-L1", 1), ("All open cases", 18)],
        axis_label="Number of cases",
        line=18,
        line_label="Limit 18",
        total_label="All open cases",
    )

    plot = chart.plot_right - chart.plot_left
    scale = [t.value for t in chart.ticks]
    assert scale == [0, 5, 10, 15, 20]
    assert [b.width for b in chart.bars] == [round(plot * v / 20, 2) for v in (1, 7, 9, 1, 18)]
    assert chart.line_x == round(chart.plot_left + plot * 18 / 20, 2)
    assert [b.total for b in chart.bars] == [False, False, False, False, True]
    assert chart.bars[1].y - chart.bars[0].y > 22  # bars do not overlap


def test_an_empty_caseload_still_draws_a_scale_and_a_half_time_limit():
    chart = bar_chart(
        title="t",
        description="d",
        values=[("L2A", 0)],
        axis_label="Number of cases",
        line=9,
    )

    assert chart.bars[0].width == 0
    assert chart.ticks[-1].value >= 9
    assert chart.ticks[-1].value == 10
    assert chart.line_anchor == "end"  # near the right edge, the label ends at the line
