package sheets

// StationRanges exposes stationRanges to the external tests.
var StationRanges = stationRanges
