"""CloudWatch alarm evaluation, modeled: metric data in, alarm states and pages out.

moto stores alarms and never evaluates them. This package evaluates an alarm's
*definition* as the emulator holds it, on metric data a check publishes, as CloudWatch
does (see each module for the AWS documentation it follows):

- ``store``: metric data per region, namespace, name, whole dimension set and unit;
- ``statistics``: SampleCount, Sum, Average, Minimum, Maximum, percentiles and the
  trimmed/winsorized statistics of a period;
- ``evaluation``: M of N over the evaluation range, TreatMissingData, the
  premature-alarm rule; :class:`NotEvaluable` for what is not modeled;
- ``metric_math``: the expressions of an alarm's ``Metrics``;
- ``composite``: ``AlarmRule`` and action suppression;
- ``drill``: :class:`AlarmDrill`, the per-minute loop on a virtual clock that sets
  states in the emulator and publishes notifications to the alarms' SNS topics.
"""

from harness.drills.cloudwatch.drill import AlarmDrill, Event
from harness.drills.cloudwatch.evaluation import NotEvaluable

__all__ = ["AlarmDrill", "Event", "NotEvaluable"]
