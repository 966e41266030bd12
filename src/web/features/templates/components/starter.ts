/** What a new template starts from: a friendly example that shows merge fields at work. */
export const STARTER_HTML = `<h1>Hello {{ contact.firstName | default: "there" }},</h1>
<p>Thanks for being in touch with {{ organization.name }}. Here is what is new this month.</p>
<p>Write your message here. Merge fields such as {{ contact.companyName | default: "your team" }} are filled in for each contact.</p>
<p><a href="https://example.com">Read more</a></p>
<p style="font-size:12px;color:#71717a">{{ organization.name }} · {{ organization.postalAddress }}<br>
<a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Email preferences</a></p>
`;

export const STARTER_MJML = `<mjml>
  <mj-body background-color="#f4f4f5">
    <mj-section background-color="#ffffff" padding="32px 24px">
      <mj-column>
        <mj-text font-size="22px" font-weight="600">Hello {{ contact.firstName | default: "there" }},</mj-text>
        <mj-text font-size="16px" line-height="1.5">Thanks for being in touch with {{ organization.name }}. Here is what is new this month.</mj-text>
        <mj-button href="https://example.com" background-color="#4f46e5">Read more</mj-button>
      </mj-column>
    </mj-section>
    <mj-section padding="16px 24px">
      <mj-column>
        <mj-text font-size="12px" color="#71717a">{{ organization.name }} · {{ organization.postalAddress }}<br />
          <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ preferences_url }}">Email preferences</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;

export const STARTER_SUBJECT = 'News from {{ organization.name }}';
