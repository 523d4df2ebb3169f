"""The jobs themselves: the list (an id-list model), the job's detail panel, the
sidebar's presets and the filter bar, conflicts, and what every page draws a job with."""
