# language: it
@configurazione @browser
Funzionalità: Configurazione tramite il modulo di amministrazione form.io
  L'interfaccia di amministrazione di OpenCity disegna i moduli che il proxy pubblica
  (GET /tenants/schema, GET /services/schema) con il renderer form.io. L'operatore li
  compila in Chromium, campo per campo, e preme "Salva": il modulo invia i dati al
  proxy, che li conserva. Il renderer stesso segnala i campi obbligatori lasciati
  vuoti, prima che qualcosa parta verso il proxy.

  Scenario: un nuovo ente compilato nel modulo è salvato con i campi dell'intermediario
    Dato un nuovo ente "Comune di Roccasecca" configurato per l'intermediario
    Quando l'operatore compila e salva la configurazione nel modulo form.io
    Allora il modulo conferma il salvataggio
    E il proxy ha salvato i valori inseriti nel modulo

  Scenario: un servizio compilato nel modulo genera i pagamenti dei cittadini
    Dato un nuovo ente "Comune di Castelmezzano" configurato per l'intermediario
    E l'operatore salva la configurazione
    E un nuovo servizio "Occupazione suolo pubblico" da 20,00 euro per quell'ente
    Quando l'operatore compila e salva la configurazione nel modulo form.io
    Allora il modulo conferma il salvataggio
    E il proxy ha salvato i valori inseriti nel modulo
    Quando un cittadino presenta una domanda per quel servizio
    Allora il pagamento passa in stato PAYMENT_PENDING

  Scenario: il modulo segnala il campo obbligatorio dell'intermediario lasciato vuoto
    Dato un nuovo ente "Comune di Prova" configurato per l'intermediario
    Quando l'operatore compila il modulo form.io lasciando vuoto un campo obbligatorio dell'intermediario
    Allora il modulo form.io segnala che quel campo è obbligatorio
    E il proxy non ha salvato la configurazione
