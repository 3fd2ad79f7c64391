package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// Seeded names what seed made.
type Seeded struct {
	AdminID    string
	AgentIDs   []string
	Groups     map[string]string // key → group id
	Categories map[string]string // key → category id
	Triggers   []string          // trigger names
}

// seed creates the demo service: Korean first, English too.
func seed(ctx context.Context, desk *helpdesk.Desk, doorayHookURL string) (Seeded, error) {
	out := Seeded{Groups: map[string]string{}, Categories: map[string]string{}}
	_, err := desk.CreateService(ctx, helpdesk.NewService{ID: serviceID, Settings: helpdesk.Settings{
		Name:                   "ACME 고객센터",
		Languages:              []string{"ko", "en"},
		Channels:               helpdesk.Channels{Ticket: true},
		SMSEnabled:             true,
		InternalResolutionText: i18n.Text{"ko": "내부적으로 처리되었습니다.", "en": "Resolved internally."},
		Mail: helpdesk.MailSettings{FromName: "ACME 고객센터", FromAddress: supportAddress,
			Layout: helpdesk.MailLayout{Footer: i18n.Text{"ko": "\n-- \nACME 고객센터", "en": "\n-- \nACME Support"}},
			Manual: helpdesk.AutoMail{Enabled: true,
				Subject: i18n.Text{"ko": "[#{ticketId}] 문의에 답변드립니다", "en": "[#{ticketId}] Our answer"},
				Body:    i18n.Text{"ko": "#{customerName}님, 안녕하세요.\n\n#{content}", "en": "Hello #{customerName},\n\n#{content}"}},
			Hold: helpdesk.AutoMail{Enabled: true,
				Body: i18n.Text{"ko": "확인하고 있습니다.\n\n#{content}", "en": "We are on it.\n\n#{content}"}},
			Resolve: helpdesk.AutoMail{Enabled: true,
				Body: i18n.Text{"ko": "문의가 해결되었습니다.\n\n#{content}", "en": "Your request is solved.\n\n#{content}"}},
		},
	}})
	if errors.Is(err, helpdesk.ErrConflict) {
		return out, fmt.Errorf("%w (the store holds the demo already: use a new database)", err)
	} else if err != nil {
		return out, err
	}
	svc := desk.Service(serviceID)
	admin, err := svc.As(helpdesk.System).Agents().Create(ctx, agent.New{Name: "김민지 (Admin)", Email: "minji@acme.example", Role: agent.RoleAdmin})
	if err != nil {
		return out, err
	}
	out.AdminID = admin.ID
	as := svc.As(helpdesk.AgentID(admin.ID))

	if _, err := as.SMS().Update(ctx, helpdesk.SMSUpdate{AppKey: "demo-app-key", SecretKey: "demo-secret", SenderNumbers: []string{smsSender}}); err != nil {
		return out, fmt.Errorf("sms settings: %w", err)
	}
	// Dooray! task transfer (DRY-1, DRY-2) into the fake's one project.
	if _, err := as.Dooray().Update(ctx, helpdesk.DooraySettings{Active: true, OrgName: "ACME", OrgID: doorayOrg, Token: doorayToken,
		Projects: []helpdesk.DoorayProject{{Name: "고객 지원 Support", ID: doorayProject, Registrant: "minji@acme.example"}}}); err != nil {
		return out, fmt.Errorf("dooray settings: %w", err)
	}

	for _, g := range []struct{ key, name string }{{"billing", "결제팀 Billing"}, {"delivery", "배송팀 Delivery"}} {
		grp, err := as.Groups().Create(ctx, helpdesk.NewGroup{Name: g.name, Strategy: agent.StrategyRoundRobin})
		if err != nil {
			return out, err
		}
		out.Groups[g.key] = grp.ID
		// The admin watches both teams: a member, for their browser
		// notifications, but never picked by the round robin.
		if _, err := as.Groups().AddMember(ctx, grp.ID, admin.ID); err != nil {
			return out, err
		}
	}
	if _, err := as.Agents().SetToggles(ctx, admin.ID, agent.Toggles{TicketAssignment: false, ChatAssignment: false}); err != nil {
		return out, err
	}
	for _, a := range []struct{ name, email, group string }{
		{"이서준", "seojun@acme.example", "billing"}, {"Emma Park", "emma@acme.example", "billing"},
		{"박지훈", "jihoon@acme.example", "delivery"}, {"Liam Choi", "liam@acme.example", "delivery"},
	} {
		ag, err := as.Agents().Create(ctx, agent.New{Name: a.name, Email: a.email, GroupIDs: []string{out.Groups[a.group]}})
		if err != nil {
			return out, err
		}
		out.AgentIDs = append(out.AgentIDs, ag.ID)
	}

	for _, c := range []struct {
		key  string
		name i18n.Text
	}{
		{"refunds", i18n.Text{"ko": "환불", "en": "Refunds"}},
		{"delivery", i18n.Text{"ko": "배송", "en": "Delivery"}},
		{"account", i18n.Text{"ko": "계정", "en": "Account"}},
	} {
		cat, err := as.Categories().Create(ctx, category.New{Tree: category.Intake, Name: c.name})
		if err != nil {
			return out, err
		}
		out.Categories[c.key] = cat.ID
	}

	for _, f := range []field.New{
		{Key: "order_no", Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": "주문 번호", "en": "Order number"}},
		{Key: "phone", Kind: field.KindCustomer, Type: field.TypePhone, Label: i18n.Text{"ko": "연락처", "en": "Phone"}},
		{Key: "refund_amount", Kind: field.KindAgent, Type: field.TypeNumber, Label: i18n.Text{"ko": "환불 금액", "en": "Refund amount"}},
	} {
		if _, err := as.Fields().Create(ctx, f); err != nil {
			return out, fmt.Errorf("field %s: %w", f.Key, err)
		}
	}

	// Processing categories: where agents file the work; triggers set
	// them, and templates are offered by them.
	for _, c := range []struct {
		key  string
		name i18n.Text
	}{
		{"refund_handling", i18n.Text{"ko": "환불 처리", "en": "Refund handling"}},
		{"delivery_handling", i18n.Text{"ko": "배송 처리", "en": "Delivery handling"}},
	} {
		cat, err := as.Categories().Create(ctx, category.New{Tree: category.Processing, Name: c.name})
		if err != nil {
			return out, err
		}
		out.Categories[c.key] = cat.ID
	}
	refunds, delivery := []string{out.Categories["refund_handling"]}, []string{out.Categories["delivery_handling"]}
	for _, t := range []template.New{
		{Title: "환불 완료 안내", Code: "refund_done", CategoryIDs: refunds, Content: "#{customerName}님, 환불이 처리되었습니다. 3~5 영업일 내에 입금됩니다."},
		{Title: "Refund sent", Code: "refund_sent", CategoryIDs: refunds, Content: "Hello #{customerName}, your refund is on its way (3-5 business days)."},
		{Title: "배송 조회 안내", Code: "delivery_status", CategoryIDs: delivery, Content: "#{customerName}님, 주문하신 상품은 배송 중입니다."},
		{Title: "문의 감사 인사 / Thanks", Code: "thanks", Content: "#{customerName}님, 문의해 주셔서 감사합니다. / Thank you for contacting us."},
	} {
		if _, err := as.Templates().Create(ctx, t); err != nil {
			return out, fmt.Errorf("template %s: %w", t.Code, err)
		}
	}
	if _, err := as.ForbiddenWords().Add(ctx, "바보", "멍청이", "stupid", "idiot"); err != nil {
		return out, err
	}

	triggers := []trigger.New{
		{Name: "환불 문의는 결제팀으로 / Refunds to billing",
			All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"},
				{Target: "intake_category", Op: trigger.IsUnder, Value: out.Categories["refunds"]}},
			Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: out.Groups["billing"]},
				{Kind: trigger.SetPriority, Value: "high"},
				{Kind: trigger.SetProcessingCategory, CategoryID: out.Categories["refund_handling"]},
				{Kind: trigger.AddTags, Tags: []string{"refund"}}}},
		{Name: "배송 문의는 배송팀으로 / Delivery to the delivery team",
			All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
			Any: []trigger.Condition{{Target: "intake_category", Op: trigger.IsUnder, Value: out.Categories["delivery"]},
				{Target: "content", Op: trigger.Contains, Value: []string{"배송", "delivery", "arrived"}}},
			Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: out.Groups["delivery"]},
				{Kind: trigger.SetProcessingCategory, CategoryID: out.Categories["delivery_handling"]},
				{Kind: trigger.AddTags, Tags: []string{"delivery"}}}},
		{Name: "팀에 브라우저 알림 / Tell the team in the browser",
			All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}, {Target: "group", Op: trigger.Present}},
			Actions: []trigger.Action{{Kind: trigger.NotifyBrowser, Recipient: trigger.RecipientGroup,
				Subject: i18n.Text{"ko": "새 문의 #{ticketId}번", "en": "New ticket no. #{ticketId}"},
				Body:    i18n.Text{"ko": "#{customerName}: #{title}", "en": "#{customerName}: #{title}"}}}},
		{Name: "접수 확인 메일 / Acknowledge by mail",
			All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
			Actions: []trigger.Action{{Kind: trigger.Notify, Recipient: trigger.RecipientCustomer,
				Subject: i18n.Text{"ko": "문의 #{ticketId} 접수되었습니다", "en": "We got your request #{ticketId}"},
				Body:    i18n.Text{"ko": "#{customerName}님, 문의가 접수되었습니다: #{title}", "en": "Hello #{customerName}, we got your request: #{title}"}}}},
		{Name: "새 문의 SMS 알림 / SMS the on-call phone",
			All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
			Actions: []trigger.Action{{Kind: trigger.SMS, Addresses: []string{"01012345678"},
				Body: i18n.Text{"ko": "새 문의 #{ticketId}: #{title}", "en": "New ticket #{ticketId}: #{title}"}}}},
		{Name: "Dooray! 알림 / Post to Dooray!",
			All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
			Actions: []trigger.Action{{Kind: trigger.Dooray, URL: doorayHookURL,
				Body: i18n.Text{"ko": "새 문의 #{ticketId}: #{title}", "en": "New ticket #{ticketId}: #{title}"}}}},
	}
	for _, t := range triggers {
		if _, err := as.Triggers().Create(ctx, t); err != nil {
			return out, fmt.Errorf("trigger %q: %w", t.Name, err)
		}
		out.Triggers = append(out.Triggers, t.Name)
	}
	return out, seedTickets(ctx, svc, out)
}

// seedTickets makes a few customers' tickets, so that the console has
// something to show: they run through the triggers as any ticket does.
func seedTickets(ctx context.Context, svc *helpdesk.Service, out Seeded) error {
	customer := svc.As(helpdesk.System)
	tickets := []ticket.New{
		{Title: "환불 요청드립니다", Content: "지난주 주문한 운동화(주문번호 A-1042)가 사이즈가 맞지 않아 환불을 요청합니다.",
			Channel: ticket.ChannelHelpCenter, Language: "ko", IntakeCategoryID: out.Categories["refunds"],
			Requester: ticket.Requester{Name: "홍길동", Email: "gildong@customer.example", Phone: "01098765432"}},
		{Title: "Where is my parcel?", Content: "Order B-2201 was due on Monday and has not arrived yet.",
			Channel: ticket.ChannelEmail, Language: "en", IntakeCategoryID: out.Categories["delivery"],
			Requester: ticket.Requester{Name: "Olivia Brown", Email: "olivia@customer.example"}},
		{Title: "비밀번호 재설정 메일이 오지 않아요", Content: "비밀번호 재설정을 눌렀는데 메일이 오지 않습니다. 스팸함에도 없어요.",
			Channel: ticket.ChannelHelpCenter, Language: "ko", IntakeCategoryID: out.Categories["account"],
			Requester: ticket.Requester{Name: "최유나", Email: "yuna@customer.example"}},
	}
	var made []ticket.Ticket
	for _, n := range tickets {
		t, err := customer.Tickets().Create(ctx, n)
		if err != nil {
			return fmt.Errorf("ticket %q: %w", n.Title, err)
		}
		made = append(made, t)
	}
	// The parcel's assignee answers, and the customer writes back.
	parcel := made[1]
	if parcel.AssigneeID != "" {
		if _, err := svc.As(helpdesk.AgentID(parcel.AssigneeID)).Tickets().Reply(ctx, parcel.ID, helpdesk.Reply{
			Body: "Hello Olivia, we are checking with the courier and will get back to you today.", Status: ticket.StatusPending}); err != nil {
			return fmt.Errorf("seed reply: %w", err)
		}
	}
	_, err := customer.Tickets().CustomerReply(ctx, parcel.ID, helpdesk.CustomerReply{Body: "Thank you! The tracking page still says 'in transit'."})
	return err
}
