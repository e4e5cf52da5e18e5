# language: it
@checkout @manuale
Funzionalità: Completamento del pagamento attraverso il checkout pagoPA
  Il cittadino apre il link "paga online" dall'Area Personale, il proxy lo porta sul
  checkout pagoPA, il cittadino paga con carta e torna all'Area Personale: il proxy
  chiede l'esito all'intermediario (mai sulla sola parola del ritorno) e il pagamento
  passa in COMPLETE. Sui simulatori il cittadino compila le pagine del checkout via
  HTTP; su un ambiente reale una persona paga sul checkout di test di pagoPA.

  Scenario: il cittadino paga con carta e il pagamento risulta completato
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando il cittadino paga online con la carta "4242 4242 4242 4242"
    Allora il checkout mostra l'esito "OK"
    E il proxy ha portato il pagamento in stato PAYMENT_STARTED
    Quando il cittadino torna all'Area Personale
    Allora il cittadino arriva sulla pagina di ritorno della piattaforma
    E il pagamento passa in stato COMPLETE
    E il pagamento riporta la data di pagamento e il link alla ricevuta

  Scenario: il cittadino annulla sul checkout e può pagare più tardi
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando il cittadino apre il pagamento online e annulla
    Allora il checkout mostra l'esito "CANCELED"
    Quando il cittadino torna all'Area Personale
    Allora il pagamento non risulta pagato
    Quando il cittadino paga online con la carta "4242 4242 4242 4242"
    E il cittadino torna all'Area Personale
    Allora il pagamento passa in stato COMPLETE

  Scenario: una carta rifiutata non chiude il pagamento
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando il cittadino paga online con la carta "4000 0000 0000 0002"
    Allora il checkout mostra l'esito "KO"
    Quando il cittadino torna all'Area Personale
    Allora il pagamento non risulta pagato

  Scenario: senza ritorno all'Area Personale l'aggiornamento porta comunque a COMPLETE
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando il cittadino paga online con la carta "4242 4242 4242 4242"
    E il cittadino chiude il browser senza tornare all'Area Personale
    Allora il pagamento non risulta ancora pagato per la piattaforma
    Quando la piattaforma chiama il link di aggiornamento del pagamento
    Allora il pagamento passa in stato COMPLETE
