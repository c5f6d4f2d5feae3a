package web

// RoutePatterns lists the patterns of every route registered in routes.go,
// for the route-walking test.
func (s *Server) RoutePatterns() []string { return append([]string(nil), s.patterns...) }
