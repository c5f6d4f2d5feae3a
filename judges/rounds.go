package judges

import "context"

// RoundsChanged reloads the tablets of every judge of an event after its
// rounds changed (an advancement confirmed, a round drawn): a later round's
// sheets appear, with the stations of its draw, and nobody else's.
func (s *Service) RoundsChanged(ctx context.Context, eventID int64) error {
	return s.reloadEvent(ctx, eventID)
}

// CarriedChanged reloads the tablets of every judge of a batch after
// 核对补考: a part a 补考 candidate carries from an earlier batch leaves the
// tablets (and one no longer carried comes back).
func (s *Service) CarriedChanged(ctx context.Context, eventID int64) error {
	return s.reloadEvent(ctx, eventID)
}

// reloadEvent reloads the tablets of every judge of an event.
func (s *Service) reloadEvent(ctx context.Context, eventID int64) error {
	js, err := s.st.Judges(ctx, eventID)
	if err != nil {
		return err
	}
	for _, j := range js {
		s.hub.reload(j.ID)
		s.tellPeers(ctx, eventID, j.ID, false)
	}
	return nil
}
